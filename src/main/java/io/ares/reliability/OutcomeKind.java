package io.ares.reliability;

/** What happened to an agent's piece of work (SPEC §2 "Reliability and enforcement"). */
public enum OutcomeKind {
  /** Evidence accepted (a VALIDATED verdict). */
  VALIDATED(true),
  /** Evidence refused (a REJECTED verdict). */
  PROOF_VALIDATION_FAILED(false),
  /** The agent reported a failure; the detail carries the agent's own code. */
  AGENT_FAILURE(false),
  /** Ack or completion deadline passed. */
  TASK_TIMEOUT(false),
  /** The agent's lease expired. */
  AGENT_UNRESPONSIVE(false),
  /** The agent confirmed a compensation. */
  COMPENSATED(true),
  /** A compensation order failed (refused, exhausted or the agent left). */
  COMPENSATION_FAILED(false),
  /** A session failed; recorded against its coordinator when that is an agent. */
  COORDINATION_FAILED(false);

  private final boolean success;

  OutcomeKind(boolean success) {
    this.success = success;
  }

  /** A good outcome (counts as a success); every other kind is an incident. */
  public boolean success() {
    return success;
  }
}
