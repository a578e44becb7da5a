package io.ares.reliability;

import java.util.Map;
import java.util.Optional;

/** The incident table of SPEC §2: code → impact → enforceable. Pure. */
public final class IncidentClassifier {

  /** The incident code of an agent-reported failure (the agent's own code goes into the detail). */
  public static final String AGENT_REPORTED_FAILURE = "AGENT_REPORTED_FAILURE";

  /** One row of the table. */
  public record Classification(String code, Impact impact, boolean enforceable) {}

  private static final Map<String, Classification> TABLE = Map.of(
      "TASK_TIMEOUT", new Classification("TASK_TIMEOUT", Impact.HIGH, true),
      "PROOF_VALIDATION_FAILED", new Classification("PROOF_VALIDATION_FAILED", Impact.HIGH, true),
      "AGENT_UNRESPONSIVE", new Classification("AGENT_UNRESPONSIVE", Impact.HIGH, true),
      "COORDINATION_FAILED", new Classification("COORDINATION_FAILED", Impact.MEDIUM, false));

  private IncidentClassifier() {}

  /** Any incident code: the four named rows, and anything else is low and not enforceable. */
  public static Classification ofCode(String code) {
    Classification c = TABLE.get(code);
    return c != null ? c : new Classification(code, Impact.LOW, false);
  }

  /** The incident an outcome becomes; empty for the good ones (VALIDATED, COMPENSATED). */
  public static Optional<Classification> classify(OutcomeKind kind) {
    if (kind.success()) {
      return Optional.empty();
    }
    return Optional.of(ofCode(kind == OutcomeKind.AGENT_FAILURE ? AGENT_REPORTED_FAILURE : kind.name()));
  }
}
