package io.ares.console;

import io.ares.agent.Agent;
import io.ares.platform.PageRequest;
import io.ares.reliability.ReliabilityService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;

/** The agent page's reliability parts, read from the reliability package's records. */
@ApplicationScoped
public class ReliabilityRecordsView implements AgentReliabilityView {

  /** Score points drawn on the chart (the newest ones). */
  static final int SCORE_POINTS = 200;

  @Inject ReliabilityService reliability;

  @Override
  public Uni<Report> report(Agent agent, int limit) {
    String id = agent.agentId;
    PageRequest page = new PageRequest(0, Math.max(1, limit));
    return reliability.scoreHistory(id, SCORE_POINTS).flatMap(points ->
        reliability.incidents(id, page).flatMap(incidents ->
            reliability.enforcementHistory(id, page).map(actions -> new Report(
                points.stream().map(p -> new Charts.Sample(p.at, p.score)).toList(),
                incidents.items().stream().map(i -> new Incident(i.at, i.code,
                    i.impact == null ? "" : i.impact.name().toLowerCase(Locale.ROOT), i.enforceable, i.sessionId,
                    i.assignmentId, i.detail)).toList(),
                incidents.total(),
                actions.items().stream().map(a -> new Enforcement(a.at, a.action.name().toLowerCase(Locale.ROOT),
                    a.fromStatus == null ? null : a.fromStatus.name(), a.toStatus == null ? null : a.toStatus.name(),
                    a.rule, a.automatic, a.actor, a.reason, a.score)).toList()))));
  }
}
