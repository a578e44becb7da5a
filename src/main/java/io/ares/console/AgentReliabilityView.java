package io.ares.console;

import io.ares.agent.Agent;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the agent page shows of an agent's reliability: its score history, incidents and enforcement history. The
 * page depends on this interface only; {@link ReliabilityRecordsView} reads the reliability package's records.
 */
public interface AgentReliabilityView {

  /** One incident (SPEC §2 classification). */
  record Incident(Instant at, String code, String impact, boolean enforceable, UUID sessionId, UUID assignmentId,
      String detail) {}

  /** One enforcement action: a quarantine or a release, automatic (by a rule) or by an operator. */
  record Enforcement(Instant at, String action, String fromStatus, String toStatus, String rule, boolean automatic,
      String actor, String reason, double score) {}

  /** Scores oldest first (ready to draw); incidents and enforcement newest first. */
  record Report(List<Charts.Sample> scores, List<Incident> incidents, long incidentsTotal,
      List<Enforcement> enforcement) {}

  /** The newest {@code limit} entries of each list. */
  Uni<Report> report(Agent agent, int limit);
}
