package io.ares.reliability;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One outcome of an agent's work, handed to {@link ReliabilityService#record(Outcome)} by the sessions
 * engine and the monitor.
 *
 * @param agentId the agent the outcome counts against (for COORDINATION_FAILED: the session's coordinator agent)
 * @param kind what happened
 * @param assignmentId the assignment concerned, or null (AGENT_UNRESPONSIVE, COORDINATION_FAILED)
 * @param sessionId the session concerned, or null
 * @param responseTimeMs for verdicts: delegation → evidence, in ms; else null. Feeds the response-time trend
 *     and the outlier rule.
 * @param detail free text kept with the result and its incident (verdict reasons; for AGENT_FAILURE the
 *     agent's own code first, e.g. {@code "E42: disk full"})
 * @param at when it happened, from the injected Clock (null: the service's clock)
 */
public record Outcome(
    String agentId,
    OutcomeKind kind,
    UUID assignmentId,
    UUID sessionId,
    Long responseTimeMs,
    String detail,
    Instant at) {

  public Outcome {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(kind, "kind");
  }

  public static Outcome validated(String agentId, UUID assignmentId, UUID sessionId, Long responseTimeMs, Instant at) {
    return new Outcome(agentId, OutcomeKind.VALIDATED, assignmentId, sessionId, responseTimeMs, null, at);
  }

  /** A REJECTED verdict, with its reasons. */
  public static Outcome rejected(
      String agentId, UUID assignmentId, UUID sessionId, Long responseTimeMs, List<String> reasons, Instant at) {
    return new Outcome(agentId, OutcomeKind.PROOF_VALIDATION_FAILED, assignmentId, sessionId, responseTimeMs,
        reasons == null ? null : String.join("; ", reasons), at);
  }

  /** The agent reported a failure: its own code and message are kept in the detail as {@code code: message}. */
  public static Outcome agentFailure(
      String agentId, UUID assignmentId, UUID sessionId, String code, String message, Instant at) {
    String detail = (code == null ? "" : code) + (message == null || message.isEmpty() ? "" : ": " + message);
    return new Outcome(agentId, OutcomeKind.AGENT_FAILURE, assignmentId, sessionId, null, detail, at);
  }

  public static Outcome taskTimeout(String agentId, UUID assignmentId, UUID sessionId, String detail, Instant at) {
    return new Outcome(agentId, OutcomeKind.TASK_TIMEOUT, assignmentId, sessionId, null, detail, at);
  }

  public static Outcome unresponsive(String agentId, String detail, Instant at) {
    return new Outcome(agentId, OutcomeKind.AGENT_UNRESPONSIVE, null, null, null, detail, at);
  }

  public static Outcome compensated(String agentId, UUID assignmentId, UUID sessionId, String detail, Instant at) {
    return new Outcome(agentId, OutcomeKind.COMPENSATED, assignmentId, sessionId, null, detail, at);
  }

  public static Outcome compensationFailed(String agentId, UUID assignmentId, UUID sessionId, String detail, Instant at) {
    return new Outcome(agentId, OutcomeKind.COMPENSATION_FAILED, assignmentId, sessionId, null, detail, at);
  }

  /** Against the session's coordinator, when that is an agent (never for an operator's session). */
  public static Outcome coordinationFailed(String coordinatorAgentId, UUID sessionId, String detail, Instant at) {
    return new Outcome(coordinatorAgentId, OutcomeKind.COORDINATION_FAILED, null, sessionId, null, detail, at);
  }
}
