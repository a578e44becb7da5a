package io.ares.agent;

/** What can happen to an agent's status. */
public enum AgentEvent {
  /** The monitor saw the lease expire. */
  LEASE_EXPIRED,
  /** A heartbeat, long-poll or stream frame from an UNRESPONSIVE agent. */
  SIGN_OF_LIFE,
  /** Automatic or manual quarantine. */
  ENFORCE,
  /** Operator release while the lease is still valid. */
  RELEASE,
  /** Operator release after the lease expired: the agent comes back UNRESPONSIVE (no new incident). */
  RELEASE_LEASE_EXPIRED,
  /** The agent or an operator deregisters it. */
  DEREGISTER
}
