package io.ares.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.reliability.IncidentClassifier.Classification;
import org.junit.jupiter.api.Test;

/** The SPEC §2 classification table, row by row. */
class IncidentClassifierTest {

  @Test
  void the_three_high_impact_codes_are_enforceable() {
    assertThat(IncidentClassifier.ofCode("TASK_TIMEOUT")).isEqualTo(new Classification("TASK_TIMEOUT", Impact.HIGH, true));
    assertThat(IncidentClassifier.ofCode("PROOF_VALIDATION_FAILED"))
        .isEqualTo(new Classification("PROOF_VALIDATION_FAILED", Impact.HIGH, true));
    assertThat(IncidentClassifier.ofCode("AGENT_UNRESPONSIVE"))
        .isEqualTo(new Classification("AGENT_UNRESPONSIVE", Impact.HIGH, true));
  }

  @Test
  void coordination_failure_is_medium_and_not_enforceable() {
    assertThat(IncidentClassifier.ofCode("COORDINATION_FAILED"))
        .isEqualTo(new Classification("COORDINATION_FAILED", Impact.MEDIUM, false));
  }

  @Test
  void anything_else_is_low_and_not_enforceable() {
    assertThat(IncidentClassifier.ofCode("COMPENSATION_FAILED"))
        .isEqualTo(new Classification("COMPENSATION_FAILED", Impact.LOW, false));
    assertThat(IncidentClassifier.ofCode("SOMETHING_NEW")).isEqualTo(new Classification("SOMETHING_NEW", Impact.LOW, false));
  }

  @Test
  void every_outcome_kind_maps_to_its_incident_and_good_ones_to_none() {
    assertThat(IncidentClassifier.classify(OutcomeKind.VALIDATED)).isEmpty();
    assertThat(IncidentClassifier.classify(OutcomeKind.COMPENSATED)).isEmpty();
    assertThat(IncidentClassifier.classify(OutcomeKind.PROOF_VALIDATION_FAILED).orElseThrow().impact()).isEqualTo(Impact.HIGH);
    assertThat(IncidentClassifier.classify(OutcomeKind.TASK_TIMEOUT).orElseThrow().enforceable()).isTrue();
    assertThat(IncidentClassifier.classify(OutcomeKind.AGENT_UNRESPONSIVE).orElseThrow().enforceable()).isTrue();
    assertThat(IncidentClassifier.classify(OutcomeKind.COORDINATION_FAILED).orElseThrow().impact()).isEqualTo(Impact.MEDIUM);
    assertThat(IncidentClassifier.classify(OutcomeKind.COMPENSATION_FAILED).orElseThrow())
        .isEqualTo(new Classification("COMPENSATION_FAILED", Impact.LOW, false));
    assertThat(IncidentClassifier.classify(OutcomeKind.AGENT_FAILURE).orElseThrow())
        .isEqualTo(new Classification("AGENT_REPORTED_FAILURE", Impact.LOW, false));
    for (OutcomeKind k : OutcomeKind.values()) {
      assertThat(IncidentClassifier.classify(k).isPresent()).as(k.name()).isEqualTo(!k.success());
    }
  }

  @Test
  void impacts_weigh_one_half_and_a_quarter_and_read_lowercase_on_the_wire() {
    assertThat(Impact.HIGH.weight()).isEqualTo(1.0);
    assertThat(Impact.MEDIUM.weight()).isEqualTo(0.5);
    assertThat(Impact.LOW.weight()).isEqualTo(0.25);
    assertThat(Impact.MEDIUM.wire()).isEqualTo("medium");
  }
}
