package io.ares.console;

import io.ares.agent.Agent;
import io.ares.agent.AgentService;
import io.ares.agent.AgentStatus;
import io.ares.agent.AgentStatusEvent;
import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The console's own reliability view, used until a reliability package provides a richer one: enforcement history
 * from the agent's status events (every quarantine and release, with actor and reason); no score history and no
 * incidents, which only the reliability records hold.
 */
@DefaultBean
@ApplicationScoped
public class StatusHistoryReliabilityView implements AgentReliabilityView {

  @Inject AgentService agents;

  @Override
  public Uni<Report> report(Agent agent, int limit) {
    return agents.statusHistory(agent.agentId, Math.max(limit, 1) * 4)
        .map(events -> new Report(false, List.of(), false, List.of(), enforcement(events, limit)));
  }

  /** Quarantines and releases, newest first. */
  static List<Enforcement> enforcement(List<AgentStatusEvent> newestFirst, int limit) {
    return newestFirst.stream()
        .filter(e -> e.toStatus == AgentStatus.QUARANTINED && e.fromStatus != AgentStatus.QUARANTINED
            || e.fromStatus == AgentStatus.QUARANTINED
                && (e.toStatus == AgentStatus.ACTIVE || e.toStatus == AgentStatus.UNRESPONSIVE))
        .limit(limit)
        .map(e -> new Enforcement(e.at, e.toStatus == AgentStatus.QUARANTINED ? "quarantine" : "release",
            e.fromStatus == null ? null : e.fromStatus.name(), e.toStatus.name(), e.cause, e.actor, e.reason))
        .toList();
  }
}
