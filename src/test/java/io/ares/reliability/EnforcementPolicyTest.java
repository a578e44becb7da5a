package io.ares.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.agent.AgentStatus;
import io.ares.reliability.EnforcementPolicy.Facts;
import io.ares.reliability.EnforcementPolicy.Limits;
import io.ares.reliability.EnforcementPolicy.Rule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two quarantine rules with the default limits (0.4, 5 samples, 3 incidents, 1 h). */
class EnforcementPolicyTest {

  private static final Limits DEFAULTS = new Limits(0.4, 5, 3, Duration.ofHours(1));
  private static final List<String> THREE = List.of("PROOF_VALIDATION_FAILED", "TASK_TIMEOUT", "PROOF_VALIDATION_FAILED");

  @Test
  void three_enforceable_incidents_quarantine_and_the_reason_names_rule_and_figures() {
    var d = EnforcementPolicy.decide(new Facts(AgentStatus.ACTIVE, 0.5, 3, THREE), DEFAULTS).orElseThrow();
    assertThat(d.rule()).isEqualTo(Rule.ENFORCEABLE_INCIDENTS);
    assertThat(d.reason()).isEqualTo("ENFORCEABLE_INCIDENTS: 3 enforceable incidents within 1h since the last release "
        + "(limit 3): PROOF_VALIDATION_FAILED x2, TASK_TIMEOUT x1; reliability score 0.500");
  }

  @Test
  void two_enforceable_incidents_do_not() {
    assertThat(EnforcementPolicy.decide(new Facts(AgentStatus.ACTIVE, 0.5, 2, THREE.subList(0, 2)), DEFAULTS)).isEmpty();
  }

  @Test
  void a_low_score_quarantines_only_after_min_samples() {
    assertThat(EnforcementPolicy.decide(new Facts(AgentStatus.ACTIVE, 0.35, 4, List.of()), DEFAULTS)).isEmpty();
    var d = EnforcementPolicy.decide(new Facts(AgentStatus.ACTIVE, 0.35, 5, List.of()), DEFAULTS).orElseThrow();
    assertThat(d.rule()).isEqualTo(Rule.SCORE_BELOW_THRESHOLD);
    assertThat(d.reason()).isEqualTo("SCORE_BELOW_THRESHOLD: reliability score 0.350 < 0.4 after 5 results (min 5)");
  }

  @Test
  void a_score_at_the_threshold_is_not_below_it() {
    assertThat(EnforcementPolicy.decide(new Facts(AgentStatus.ACTIVE, 0.4, 50, List.of()), DEFAULTS)).isEmpty();
  }

  @Test
  void both_rules_are_named_when_both_hold() {
    var d = EnforcementPolicy.decide(new Facts(AgentStatus.UNRESPONSIVE, 0.3, 5, THREE), DEFAULTS).orElseThrow();
    assertThat(d.rule()).isEqualTo(Rule.ENFORCEABLE_INCIDENTS);
    assertThat(d.reason()).contains("ENFORCEABLE_INCIDENTS: 3").contains("SCORE_BELOW_THRESHOLD: reliability score 0.300");
  }

  @Test
  void only_active_and_unresponsive_agents_can_be_quarantined() {
    for (AgentStatus s : AgentStatus.values()) {
      boolean decided = EnforcementPolicy.decide(new Facts(s, 0.1, 10, THREE), DEFAULTS).isPresent();
      assertThat(decided).as(s.name()).isEqualTo(s == AgentStatus.ACTIVE || s == AgentStatus.UNRESPONSIVE);
    }
  }

  @Test
  void windows_read_as_people_write_them() {
    assertThat(EnforcementPolicy.human(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(EnforcementPolicy.human(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(EnforcementPolicy.human(Duration.ofMinutes(30))).isEqualTo("30m");
    assertThat(EnforcementPolicy.human(Duration.ofSeconds(90))).isEqualTo("90s");
  }
}
