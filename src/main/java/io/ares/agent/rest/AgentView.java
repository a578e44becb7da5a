package io.ares.agent.rest;

import io.ares.agent.Agent;
import io.ares.agent.AgentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An agent as the API shows it (snake_case on the wire). */
public record AgentView(
    String agentId,
    String name,
    List<String> capabilities,
    AgentStatus status,
    int heartbeatIntervalSeconds,
    int maxConcurrentTasks,
    List<String> proofRequirements,
    Map<String, Object> metadata,
    Instant lastHeartbeatAt,
    Instant leaseExpiresAt,
    double reliabilityScore,
    Instant registeredAt,
    int openAssignments,
    Grants grants) {

  /** What the agent may do beyond acting on itself. */
  public record Grants(boolean coordinator) {}

  public static AgentView of(Agent a) {
    return new AgentView(
        a.agentId,
        a.name,
        a.capabilities == null ? List.of() : List.of(a.capabilities),
        a.status,
        a.heartbeatIntervalSeconds,
        a.maxConcurrentTasks,
        a.proofRequirements == null ? List.of() : List.of(a.proofRequirements),
        a.metadata == null ? Map.of() : a.metadata,
        a.lastHeartbeatAt,
        a.leaseExpiresAt,
        a.reliabilityScore,
        a.registeredAt,
        a.openAssignments,
        new Grants(a.coordinator));
  }
}
