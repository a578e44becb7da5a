package io.ares.console;

import io.ares.agent.Agent;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the agent page shows of an agent's reliability: its score history, incidents and enforcement history.
 * The console ships {@link StatusHistoryReliabilityView} (enforcement read from the agent's status events, no score
 * history or incidents); the reliability package plugs its own records in by providing another bean of this type.
 */
public interface AgentReliabilityView {

  /** One incident (SPEC §2 classification). */
  record Incident(Instant at, String code, String impact, boolean enforceable, UUID sessionId, UUID assignmentId,
      String detail) {}

  /** One enforcement action: a quarantine (automatic or by hand) or a release. */
  record Enforcement(Instant at, String action, String fromStatus, String toStatus, String cause, String actor,
      String reason) {}

  /**
   * The report; {@code scoresAvailable} / {@code incidentsAvailable} false means "not recorded by this build"
   * (the page says so) rather than "none".
   */
  record Report(boolean scoresAvailable, List<Charts.Sample> scores, boolean incidentsAvailable,
      List<Incident> incidents, List<Enforcement> enforcement) {}

  /** The newest {@code limit} entries of each list; scores oldest first, the rest newest first. */
  Uni<Report> report(Agent agent, int limit);
}
