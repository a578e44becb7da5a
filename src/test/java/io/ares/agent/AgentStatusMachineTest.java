package io.ares.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.platform.fsm.InvalidTransitionException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentStatusMachineTest {

  /** The expected table, written out independently of the production one. */
  private static final Map<String, AgentStatus> EXPECTED = Map.of(
      "ACTIVE/LEASE_EXPIRED", AgentStatus.UNRESPONSIVE,
      "UNRESPONSIVE/SIGN_OF_LIFE", AgentStatus.ACTIVE,
      "ACTIVE/ENFORCE", AgentStatus.QUARANTINED,
      "UNRESPONSIVE/ENFORCE", AgentStatus.QUARANTINED,
      "QUARANTINED/RELEASE", AgentStatus.ACTIVE,
      "QUARANTINED/RELEASE_LEASE_EXPIRED", AgentStatus.UNRESPONSIVE,
      "ACTIVE/DEREGISTER", AgentStatus.DEREGISTERED,
      "UNRESPONSIVE/DEREGISTER", AgentStatus.DEREGISTERED,
      "QUARANTINED/DEREGISTER", AgentStatus.DEREGISTERED);

  @Test
  void every_state_and_event_pair_is_allowed_or_refused_exactly_as_specified() {
    int allowed = 0;
    for (AgentStatus s : AgentStatus.values()) {
      for (AgentEvent e : AgentEvent.values()) {
        AgentStatus expected = EXPECTED.get(s + "/" + e);
        if (expected != null) {
          assertThat(AgentStatusMachine.TABLE.next(s, e)).as(s + "/" + e).isEqualTo(expected);
          allowed++;
        } else {
          assertThatThrownBy(() -> AgentStatusMachine.TABLE.next(s, e))
              .as(s + "/" + e)
              .isInstanceOf(InvalidTransitionException.class)
              .satisfies(x -> assertThat(((InvalidTransitionException) x).allowedNextStates())
                  .containsExactlyInAnyOrderElementsOf(AgentStatusMachine.TABLE.allowedNextStateNames(s)));
        }
      }
    }
    assertThat(allowed).isEqualTo(AgentStatusMachine.TABLE.transitions().size());
  }

  @Test
  void deregistered_is_terminal() {
    assertThat(AgentStatusMachine.TABLE.isTerminal(AgentStatus.DEREGISTERED)).isTrue();
    assertThat(AgentStatusMachine.TABLE.isTerminal(AgentStatus.ACTIVE)).isFalse();
  }
}
