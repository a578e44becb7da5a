package io.ares.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.platform.fsm.InvalidTransitionException;
import io.ares.platform.fsm.TransitionTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every (state, event) pair of both machines, allowed or refused, against tables written out here independently
 * of the production ones (SPEC §2). A table entry that this test never exercised fails the build.
 */
class TransitionTablesTest {

  static final Map<String, String> SESSION = new HashMap<>();
  static final Map<String, String> ASSIGNMENT = new HashMap<>();

  static {
    SESSION.put("INITIALIZING/FIRST_DELIVERY", "IN_PROGRESS");
    for (String from : new String[] {"INITIALIZING", "IN_PROGRESS"}) {
      SESSION.put(from + "/QUORUM_VALIDATED", "COMPLETED");
      SESSION.put(from + "/QUORUM_UNREACHABLE", "COMPENSATING");
      SESSION.put(from + "/CANCEL", "COMPENSATING");
      SESSION.put(from + "/DEADLINE_PASSED", "COMPENSATING");
    }
    SESSION.put("COMPENSATING/COMPENSATIONS_SETTLED", "ROLLED_BACK");
    SESSION.put("COMPENSATING/COMPENSATIONS_SETTLED_WITH_FAILURES", "COMPENSATION_FAILED");
    SESSION.put("COMPENSATION_FAILED/RETRY_COMPENSATION", "COMPENSATING");

    ASSIGNMENT.put("PENDING/DELIVER", "DELEGATED");
    ASSIGNMENT.put("DELEGATED/ACK", "ACKNOWLEDGED");
    ASSIGNMENT.put("DELEGATED/SUBMIT_EVIDENCE", "SUBMITTED");
    ASSIGNMENT.put("ACKNOWLEDGED/SUBMIT_EVIDENCE", "SUBMITTED");
    ASSIGNMENT.put("SUBMITTED/EVIDENCE_VALID", "VALIDATED");
    ASSIGNMENT.put("SUBMITTED/EVIDENCE_INVALID", "REJECTED");
    for (String from : new String[] {"PENDING", "DELEGATED", "ACKNOWLEDGED"}) {
      ASSIGNMENT.put(from + "/REPORT_FAILURE", "FAILED");
      ASSIGNMENT.put(from + "/TIME_OUT", "TIMED_OUT");
      ASSIGNMENT.put(from + "/CANCEL", "CANCELLED");
    }
    ASSIGNMENT.put("VALIDATED/ISSUE_COMPENSATION", "COMPENSATING");
    ASSIGNMENT.put("COMPENSATING/CONFIRM_COMPENSATED", "COMPENSATED");
    ASSIGNMENT.put("COMPENSATING/COMPENSATION_FAILURE", "COMPENSATION_FAILED");
    ASSIGNMENT.put("COMPENSATION_FAILED/RETRY_COMPENSATION", "COMPENSATING");
  }

  private static <S extends Enum<S>, E extends Enum<E>> void checkEveryPair(
      TransitionTable<S, E> table, Class<S> states, Class<E> events, Map<String, String> expected) {
    Set<String> exercised = new HashSet<>();
    for (S s : states.getEnumConstants()) {
      for (E e : events.getEnumConstants()) {
        String key = s + "/" + e;
        String to = expected.get(key);
        if (to != null) {
          assertThat(table.next(s, e).name()).as(key).isEqualTo(to);
          exercised.add(key);
        } else {
          assertThatThrownBy(() -> table.next(s, e)).as(key)
              .isInstanceOfSatisfying(InvalidTransitionException.class, x -> {
                assertThat(x.status()).isEqualTo(409);
                assertThat(x.code()).isEqualTo("INVALID_TRANSITION");
                assertThat(x.currentState()).isEqualTo(s.name());
                assertThat(x.allowedNextStates()).isEqualTo(table.allowedNextStateNames(s));
              });
        }
      }
    }
    // The gate: every row of the production table was exercised by an allowed pair above.
    for (var row : table.transitions()) {
      assertThat(exercised).as("table entry never exercised: " + row).contains(row.from() + "/" + row.event());
    }
    assertThat(table.transitions()).hasSize(expected.size());
  }

  @Test
  void session_machine_allows_exactly_the_specified_transitions() {
    checkEveryPair(SessionMachine.TABLE, SessionState.class, SessionEvent.class, SESSION);
  }

  @Test
  void assignment_machine_allows_exactly_the_specified_transitions() {
    checkEveryPair(AssignmentMachine.TABLE, AssignmentState.class, AssignmentEvent.class, ASSIGNMENT);
  }

  @Test
  void terminal_states_accept_nothing() {
    assertThat(SessionMachine.TABLE.isTerminal(SessionState.COMPLETED)).isTrue();
    assertThat(SessionMachine.TABLE.isTerminal(SessionState.ROLLED_BACK)).isTrue();
    assertThat(SessionMachine.TABLE.isTerminal(SessionState.COMPENSATION_FAILED)).isFalse();
    for (AssignmentState s : new AssignmentState[] {AssignmentState.REJECTED, AssignmentState.FAILED,
        AssignmentState.TIMED_OUT, AssignmentState.CANCELLED, AssignmentState.COMPENSATED}) {
      assertThat(AssignmentMachine.TABLE.isTerminal(s)).as(s.name()).isTrue();
    }
  }

  @Test
  void a_refusal_names_the_allowed_next_states() {
    assertThatThrownBy(() -> SessionMachine.TABLE.next(SessionState.COMPENSATING, SessionEvent.CANCEL))
        .isInstanceOfSatisfying(InvalidTransitionException.class, x ->
            assertThat(x.allowedNextStates()).containsExactly("COMPENSATION_FAILED", "ROLLED_BACK"));
  }
}
