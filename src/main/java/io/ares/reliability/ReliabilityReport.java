package io.ares.reliability;

import io.ares.agent.AgentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An agent's reliability analysis (GET /agents/{id}/reliability). Figures are those of the window as of
 * the last result ({@code analysis_timestamp}); {@code reliability_score} is the agent's stored score.
 */
public record ReliabilityReport(
    String agentId,
    AgentStatus status,
    double reliabilityScore,
    /** The smoothed, impact-weighted success rate p of the score formula. */
    double successRate,
    /** Successes / counted results in the window; null without results. */
    Double rawSuccessRate,
    int results,
    int successes,
    double failureWeight,
    ResponseTimeTrend responseTimeTrend,
    Map<String, Integer> completionPattern,
    List<Anomaly> anomalies,
    double anomalyPenalty,
    Instant analysisTimestamp,
    Instant windowStart,
    long windowSeconds) {

  /** The response-time trend over the window; the median and MAD are those of the outlier baseline. */
  public record ResponseTimeTrend(
      Double slopeMsPerDay,
      Double meanMs,
      Double medianMs,
      Double madMs,
      int samples,
      Double relativeChange,
      double penalty) {}

  /** One anomaly: {@code RESPONSE_TIME_OUTLIER} or {@code FAILURE_BURST}. */
  public record Anomaly(String type, Instant at, String detail, UUID assignmentId) {}
}
