package io.ares.reliability.rest;

import io.ares.agent.AgentStatus;
import io.ares.reliability.EnforcementAction;
import java.time.Instant;

/** A quarantine or release on the wire. */
public record EnforcementActionView(
    long actionId,
    String agentId,
    String action,
    String rule,
    boolean automatic,
    String actor,
    String reason,
    AgentStatus fromStatus,
    AgentStatus toStatus,
    double score,
    Instant at) {

  public static EnforcementActionView of(EnforcementAction a) {
    return new EnforcementActionView(a.actionId, a.agentId, a.action.name(), a.rule, a.automatic, a.actor, a.reason,
        a.fromStatus, a.toStatus, a.score, a.at);
  }
}
