package io.ares.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.ares.session.CoordinationSession;
import io.ares.session.SessionState;
import io.ares.session.TimelineEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The root-cause sentence, from session, assignment and event data alone (no HTTP, no database). */
class RootCauseTest {

  static final Instant T0 = Instant.parse("2026-01-31T10:00:00Z");

  static CoordinationSession session(SessionState state, String cause, String detail, int quorum) {
    CoordinationSession s = new CoordinationSession();
    s.sessionId = UUID.randomUUID();
    s.state = state;
    s.cause = cause;
    s.causeDetail = detail;
    s.quorum = quorum;
    return s;
  }

  static Assignment assignment(String agent, AssignmentState state, int endedSeconds) {
    Assignment a = new Assignment();
    a.assignmentId = UUID.randomUUID();
    a.agentId = agent;
    a.state = state;
    a.endedAt = T0.plusSeconds(endedSeconds);
    return a;
  }

  static TimelineEvent sessionEvent(String from, String to, String cause, String actor) {
    TimelineEvent e = new TimelineEvent();
    e.entity = "session";
    e.fromState = from;
    e.toState = to;
    e.cause = cause;
    e.actor = actor;
    return e;
  }

  @Test
  void a_rejected_evidence_then_a_refused_compensation_reads_in_order() {
    Assignment rejected = assignment("summariser-2", AssignmentState.REJECTED, 5);
    rejected.verdict = Map.of("overall_success", false, "reasons", List.of("checksum mismatch"));
    Assignment refused = assignment("summariser-1", AssignmentState.COMPENSATION_FAILED, 9);
    refused.compensationDetail = "already published";
    CoordinationSession s = session(SessionState.COMPENSATION_FAILED, "COORDINATION_FAILED",
        "quorum 2 unreachable: 1 validated, 0 open, 0 replacements due", 2);

    assertThat(RootCause.of(s, List.of(refused, rejected), List.of()))
        .isEqualTo("summariser-2's evidence was rejected: checksum mismatch → quorum 2 out of reach → "
            + "compensation: summariser-1 refused (already published)");
  }

  @Test
  void failures_and_timeouts_name_the_agent_and_its_message_oldest_first() {
    Assignment late = assignment("b", AssignmentState.TIMED_OUT, 20);
    late.failureCode = "ACK_TIMEOUT";
    Assignment failed = assignment("a", AssignmentState.FAILED, 10);
    failed.failureCode = "TOOL_ERROR";
    failed.failureMessage = "disk\n  full";
    Assignment compensated = assignment("c", AssignmentState.COMPENSATED, 30);
    CoordinationSession s = session(SessionState.ROLLED_BACK, "COORDINATION_FAILED", null, 3);

    assertThat(RootCause.of(s, List.of(late, compensated, failed), List.of()))
        .isEqualTo("a reported a failure: disk full → b timed out: ACK_TIMEOUT → quorum 3 out of reach → "
            + "compensation: c rolled back");
  }

  @Test
  void an_operator_cancel_is_a_cancel_with_who_and_why_not_a_failure() {
    CoordinationSession s = session(SessionState.ROLLED_BACK, "CANCELLED", "wrong input", 1);
    List<TimelineEvent> events = List.of(sessionEvent(null, "INITIALIZING", "CREATED", "operator:admin"),
        sessionEvent("INITIALIZING", "COMPENSATING", "CANCELLED", "operator:admin"));
    // a rejection before the cancel is not what ended the session
    Assignment rejected = assignment("x", AssignmentState.REJECTED, 1);

    assertThat(RootCause.cancelled(s.cause)).isTrue();
    assertThat(RootCause.of(s, List.of(rejected), events))
        .isEqualTo("cancelled by operator:admin: wrong input → nothing to compensate");
  }

  @Test
  void a_passed_deadline_says_how_much_was_validated_and_what_is_still_owed() {
    CoordinationSession s = session(SessionState.COMPENSATING, "DEADLINE_PASSED", "deadline passed", 2);
    Assignment owed = assignment("a", AssignmentState.COMPENSATING, 1);

    assertThat(RootCause.of(s, List.of(owed), List.of()))
        .isEqualTo("deadline passed with 1 of quorum 2 validated → compensation under way (1 owed)");
  }

  @Test
  void a_session_that_did_not_fail_has_no_sentence_and_long_reasons_are_cut() {
    assertThat(RootCause.of(session(SessionState.COMPLETED, "QUORUM_VALIDATED", null, 1), List.of(), List.of()))
        .isNull();
    assertThat(RootCause.of(session(SessionState.IN_PROGRESS, null, null, 1), List.of(), List.of())).isNull();
    assertThat(RootCause.cancelled("COORDINATION_FAILED")).isFalse();
    assertThat(RootCause.cut("x".repeat(500))).hasSize(RootCause.MAX_PART).endsWith("…");
  }
}
