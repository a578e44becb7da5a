package io.ares.agent;

import io.smallrye.mutiny.Uni;

/**
 * Hooks for features above the agent registry (sessions, reliability). Called inside the transaction
 * that changes the agent's status, so their effects commit or roll back with it.
 */
public interface AgentLifecycleListener {

  /** The agent was deregistered: end its open work. */
  default Uni<Void> onDeregistered(Agent agent, String actor) {
    return Uni.createFrom().voidItem();
  }

  /** The agent's token was replaced: sessions opened with the old one must end. */
  default Uni<Void> onTokenRotated(Agent agent) {
    return Uni.createFrom().voidItem();
  }

  /** The agent was quarantined or released. */
  default Uni<Void> onStatusChanged(Agent agent, AgentStatus from, AgentStatus to, String cause) {
    return Uni.createFrom().voidItem();
  }
}
