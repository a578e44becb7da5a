package io.ares.console;

import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.ares.session.CoordinationSession;
import io.ares.session.TimelineEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one sentence that opens a failed session's page and its row among the dashboard's failures: what went wrong,
 * who and why, in the order it happened ("summariser-2's evidence was rejected: checksum mismatch → quorum 2 out of
 * reach → compensation: summariser-1 refused (already published)"). Built only from the session, its assignments
 * and its events, so it is a pure function with unit tests; the session-level cause alone ("quorum unreachable")
 * says what happened but not why, which is what an operator looks for first.
 */
public final class RootCause {

  static final String ARROW = " → ";
  static final int MAX_PART = 200;

  /** Session states whose sessions went to compensation. */
  static final Set<String> ROLLED = Set.of("COMPENSATING", "ROLLED_BACK", "COMPENSATION_FAILED");

  private RootCause() {}

  /** True when the session went to compensation because an operator cancelled it (a cancel, not a failure). */
  public static boolean cancelled(String cause) {
    return "CANCELLED".equals(cause);
  }

  /** The sentence for a session that went to compensation, or null for any other session. */
  public static String of(CoordinationSession s, List<Assignment> assignments, List<TimelineEvent> events) {
    if (s == null || s.state == null || !ROLLED.contains(s.state.name())) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    TimelineEvent trigger = events.stream()
        .filter(e -> "session".equals(e.entity) && "COMPENSATING".equals(e.toState)
            && !"COMPENSATING".equals(e.fromState) && !"COMPENSATION_FAILED".equals(e.fromState))
        .findFirst().orElse(null);
    String cause = s.cause != null ? s.cause : trigger == null ? null : trigger.cause;
    if (cancelled(cause)) {
      String who = trigger == null || trigger.actor == null ? "an operator" : trigger.actor;
      parts.add("cancelled by " + who + (s.causeDetail == null ? "" : ": " + cut(s.causeDetail)));
    } else {
      parts.addAll(culprits(assignments));
      if ("COORDINATION_FAILED".equals(cause)) {
        parts.add("quorum " + s.quorum + " out of reach");
      } else if ("DEADLINE_PASSED".equals(cause)) {
        long validated = assignments.stream().filter(a -> AssignmentState.OWED.contains(a.state)).count();
        parts.add("deadline passed with " + validated + " of quorum " + s.quorum + " validated");
      } else if (cause != null) {
        parts.add(cause.toLowerCase().replace('_', ' ') + (s.causeDetail == null ? "" : ": " + cut(s.causeDetail)));
      }
    }
    parts.add(compensation(s, assignments));
    return String.join(ARROW, parts);
  }

  /** Who did not deliver valid work, and why, in the order their assignments ended. */
  static List<String> culprits(List<Assignment> assignments) {
    return assignments.stream()
        .filter(a -> AssignmentState.UNSUCCESSFUL.contains(a.state))
        .sorted(Comparator.comparing((Assignment a) -> a.endedAt, Comparator.nullsLast(Comparator.naturalOrder())))
        .map(RootCause::culprit)
        .toList();
  }

  static String culprit(Assignment a) {
    return switch (a.state) {
      case REJECTED -> a.agentId + "'s evidence was rejected" + why(reasons(a.verdict), a);
      case FAILED -> a.agentId + " reported a failure" + why(null, a);
      case TIMED_OUT -> a.agentId + " timed out" + why(null, a);
      default -> a.agentId + " " + a.state.name().toLowerCase();
    };
  }

  private static String why(String reasons, Assignment a) {
    String text = reasons != null ? reasons
        : a.failureMessage != null ? a.failureMessage : a.failureCode;
    return text == null || text.isBlank() ? "" : ": " + cut(text);
  }

  static String reasons(Map<String, Object> verdict) {
    if (verdict != null && verdict.get("reasons") instanceof List<?> l && !l.isEmpty()) {
      return String.join("; ", l.stream().map(String::valueOf).toList());
    }
    return null;
  }

  /** How the compensation went: who refused and why, who is still owed, or that the work was rolled back. */
  static String compensation(CoordinationSession s, List<Assignment> assignments) {
    List<String> refused = assignments.stream().filter(a -> a.state == AssignmentState.COMPENSATION_FAILED)
        .map(a -> a.agentId + " refused" + (a.compensationDetail == null || a.compensationDetail.isBlank() ? ""
            : " (" + cut(a.compensationDetail) + ")"))
        .toList();
    if (!refused.isEmpty()) {
      return "compensation: " + String.join(", ", refused);
    }
    long pending = assignments.stream()
        .filter(a -> a.state == AssignmentState.COMPENSATING || a.state == AssignmentState.VALIDATED).count();
    if ("COMPENSATING".equals(s.state.name()) && pending > 0) {
      return "compensation under way (" + pending + " owed)";
    }
    List<String> done = assignments.stream().filter(a -> a.state == AssignmentState.COMPENSATED)
        .map(a -> a.agentId).filter(Objects::nonNull).distinct().toList();
    return done.isEmpty() ? "nothing to compensate" : "compensation: " + String.join(", ", done) + " rolled back";
  }

  static String cut(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= MAX_PART ? one : one.substring(0, MAX_PART - 1) + "…";
  }
}
