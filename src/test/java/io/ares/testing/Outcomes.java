package io.ares.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test-side builder of outcomes for the reliability service, posted to the test-only path that runs them
 * in one transaction (the way the sessions engine calls the service). {@code at} defaults to the engine's clock.
 */
public final class Outcomes {

  private Outcomes() {}

  public static OutcomeBuilder an(String kind) {
    return new OutcomeBuilder(kind);
  }

  public static OutcomeBuilder validated(long responseTimeMs) {
    return an("VALIDATED").responseTime(responseTimeMs);
  }

  public static OutcomeBuilder rejected() {
    return an("PROOF_VALIDATION_FAILED").responseTime(1000).detail("checksum mismatch");
  }

  /** Records the outcomes for the agent, in one transaction, in order. */
  public static void record(String agentId, OutcomeBuilder... outcomes) {
    post(agentId, false, outcomes).then().statusCode(204);
  }

  /** Records them, then fails the caller's transaction. */
  public static void recordAndRollBack(String agentId, OutcomeBuilder... outcomes) {
    post(agentId, true, outcomes).then().statusCode(409);
  }

  /**
   * Records them in a transaction that first loads the agent (as the sessions engine will), optionally
   * letting a heartbeat commit between that load and the outcomes.
   */
  public static void recordAfterLoadingTheAgent(String agentId, boolean heartbeatBetween, OutcomeBuilder... outcomes) {
    List<Map<String, Object>> body = new ArrayList<>();
    Arrays.stream(outcomes).forEach(o -> body.add(o.body(agentId)));
    given().contentType(ContentType.JSON).queryParam("preload", true).queryParam("heartbeat_between", heartbeatBetween)
        .body(body).post("/test/reliability/outcomes").then().statusCode(204);
  }

  /** Records {@code n} copies, one transaction each. */
  public static void repeat(String agentId, int n, OutcomeBuilder outcome) {
    for (int i = 0; i < n; i++) {
      record(agentId, outcome);
    }
  }

  private static io.restassured.response.Response post(String agentId, boolean rollback, OutcomeBuilder... outcomes) {
    List<Map<String, Object>> body = new ArrayList<>();
    Arrays.stream(outcomes).forEach(o -> body.add(o.body(agentId)));
    return given().contentType(ContentType.JSON).queryParam("rollback", rollback).body(body)
        .post("/test/reliability/outcomes");
  }

  /** One outcome. */
  public static final class OutcomeBuilder {
    private final String kind;
    private UUID assignmentId = UUID.randomUUID();
    private UUID sessionId = UUID.randomUUID();
    private Long responseTimeMs;
    private String detail;
    private String at;

    private OutcomeBuilder(String kind) {
      this.kind = kind;
    }

    public OutcomeBuilder responseTime(long ms) {
      this.responseTimeMs = ms;
      return this;
    }

    public OutcomeBuilder detail(String d) {
      this.detail = d;
      return this;
    }

    public OutcomeBuilder assignment(UUID id) {
      this.assignmentId = id;
      return this;
    }

    public OutcomeBuilder session(UUID id) {
      this.sessionId = id;
      return this;
    }

    public OutcomeBuilder at(java.time.Instant t) {
      this.at = t.toString();
      return this;
    }

    Map<String, Object> body(String agentId) {
      Map<String, Object> m = new HashMap<>();
      m.put("agent_id", agentId);
      m.put("kind", kind);
      m.put("assignment_id", assignmentId == null ? null : assignmentId.toString());
      m.put("session_id", sessionId == null ? null : sessionId.toString());
      m.put("response_time_ms", responseTimeMs);
      m.put("detail", detail);
      m.put("at", at);
      return m;
    }
  }
}
