package io.ares.reliability;

import static io.ares.testing.Api.anAgent;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The projector's batches ({@link OutcomeBatch}, five statements on the pool) write exactly what the entity path
 * ({@link ReliabilityService#record}, one outcome at a time) writes: the same results, score points, running
 * aggregates and score, through window expiry and with several outcomes of one agent in one batch. A batch that is
 * not the common case (an outcome that raises an incident) is applied by the entity path, incident included.
 */
@QuarkusTest
class OutcomeBatchTest {

  @Inject Pool pool;
  @Inject OutcomeProjector projector;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  private double applied(String path) {
    var c = registry.find(OutcomeProjector.APPLIED).tag("path", path).counter();
    return c == null ? 0 : c.count();
  }

  private static final Instant T0 = Instant.parse("2033-01-01T00:00:00Z");

  /** Outcomes over 9 days (the window is 7): the first ones leave it while the later ones are applied. */
  private static List<Object[]> history() {
    List<Object[]> h = new ArrayList<>();
    long[] rt = {120, 130, 110, 125, 900, 118, 122, 119, 121, 5000, 117, 123};
    for (int i = 0; i < rt.length; i++) {
      h.add(new Object[] {"VALIDATED", rt[i], T0.plus(Duration.ofHours(18L * i))});
    }
    return h;
  }

  @Test
  void a_batch_writes_what_the_entity_path_writes() {
    TestAgent viaEntities = anAgent().register();
    TestAgent viaBatches = anAgent().register();
    List<Object[]> h = history();
    double batched = applied("batch");
    for (Object[] o : h) {
      RestAssured.given().contentType(ContentType.JSON)
          .body(List.of(Map.of("agent_id", viaEntities.id(), "kind", o[0], "assignment_id", UUID.randomUUID().toString(),
              "response_time_ms", o[1], "at", o[2].toString())))
          .post("/test/reliability/outcomes").then().statusCode(204);
    }
    // Queued in three batches of four: several outcomes of the agent per batch, and expiry inside a batch.
    for (int b = 0; b < 3; b++) {
      for (int i = 4 * b; i < 4 * b + 4; i++) {
        Object[] o = h.get(i);
        rows("INSERT INTO reliability_outcome (agent_id, kind, assignment_id, response_time_ms, at) "
            + "VALUES ($1, $2, $3, $4, $5)", viaBatches.id(), o[0], UUID.randomUUID(), o[1],
            java.time.OffsetDateTime.ofInstant((Instant) o[2], java.time.ZoneOffset.UTC));
      }
      drain(viaBatches.id());
    }
    assertThat(rows("SELECT count(*) AS n FROM reliability_outcome WHERE agent_id = $1", viaBatches.id())
        .get(0).getLong("n")).isZero();
    assertThat(applied("batch") - batched).as("outcomes applied by OutcomeBatch").isGreaterThanOrEqualTo(h.size());

    assertThat(results(viaBatches.id())).hasSize(h.size()).isEqualTo(results(viaEntities.id()));
    assertThat(points(viaBatches.id())).hasSize(h.size()).isEqualTo(points(viaEntities.id()));
    Map<String, Object> state = state(viaBatches.id());
    assertThat(state).isEqualTo(state(viaEntities.id()));
    // The window moved: the first results no longer count.
    assertThat((Integer) state.get("results")).isLessThan(h.size());
    assertThat(score(viaBatches.id())).isEqualTo(score(viaEntities.id())).isEqualTo((Double) state.get("score"));
    // An outlier was flagged (the 900 ms and 5000 ms responses) on both paths.
    assertThat(results(viaBatches.id())).anyMatch(r -> r.contains("outlier"));
  }

  @Test
  void a_batch_whose_outcomes_of_one_agent_span_the_window_is_applied_by_the_entity_path() {
    TestAgent viaEntities = anAgent().register();
    TestAgent viaQueue = anAgent().register();
    Instant[] at = {T0.plus(Duration.ofDays(30)), T0.plus(Duration.ofDays(38))};
    for (Instant t : at) {
      RestAssured.given().contentType(ContentType.JSON)
          .body(List.of(Map.of("agent_id", viaEntities.id(), "kind", "VALIDATED", "response_time_ms", 150,
              "at", t.toString())))
          .post("/test/reliability/outcomes").then().statusCode(204);
    }
    // Queued by one statement, so one sweep takes both.
    rows("INSERT INTO reliability_outcome (agent_id, kind, response_time_ms, at) "
        + "VALUES ($1, 'VALIDATED', 150, $2), ($1, 'VALIDATED', 150, $3)", viaQueue.id(),
        java.time.OffsetDateTime.ofInstant(at[0], java.time.ZoneOffset.UTC),
        java.time.OffsetDateTime.ofInstant(at[1], java.time.ZoneOffset.UTC));
    double general = applied("entities");
    drain(viaQueue.id());
    assertThat(applied("entities") - general).isGreaterThanOrEqualTo(2);
    // The first result left the window when the second was recorded.
    assertThat(state(viaQueue.id())).isEqualTo(state(viaEntities.id())).containsEntry("results", 1);
  }

  @Test
  void a_batch_with_an_incident_is_applied_by_the_entity_path() {
    TestAgent a = anAgent().register();
    double general = applied("entities");
    rows("INSERT INTO reliability_outcome (agent_id, kind, assignment_id, detail, at) "
        + "VALUES ($1, 'PROOF_VALIDATION_FAILED', $2, 'bad proof', now())", a.id(), UUID.randomUUID());
    drain(a.id());
    assertThat(rows("SELECT count(*) AS n FROM incident WHERE agent_id = $1", a.id()).get(0).getLong("n"))
        .isEqualTo(1);
    assertThat(results(a.id())).hasSize(1);
    assertThat(applied("entities") - general).isGreaterThanOrEqualTo(1);
    assertThat(rows("SELECT count(*) AS n FROM reliability_outcome WHERE agent_id = $1", a.id()).get(0).getLong("n"))
        .isZero();
  }

  /**
   * Sweeps until the agent's queued outcomes are applied (a sweep applies what was queued at the previous one; the
   * scheduled sweep may take a batch first, which it applies the same way).
   */
  private void drain(String agentId) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
      projector.sweep().await().atMost(Duration.ofSeconds(10));
      return rows("SELECT count(*) AS n FROM reliability_outcome WHERE agent_id = $1", agentId).get(0).getLong("n") == 0;
    });
  }

  private List<String> results(String agentId) {
    List<String> out = new ArrayList<>();
    for (Row r : rows("SELECT kind, success, counted, failure_weight, response_time_ms, t_days, outlier_detail, "
        + "burst_detail, detail, at FROM reliability_result WHERE agent_id = $1 ORDER BY result_id", agentId)) {
      out.add(r.getString("kind") + "|" + r.getBoolean("success") + "|" + r.getBoolean("counted") + "|"
          + r.getDouble("failure_weight") + "|" + r.getLong("response_time_ms") + "|" + r.getDouble("t_days") + "|"
          + (r.getString("outlier_detail") == null ? "" : "outlier " + r.getString("outlier_detail")) + "|"
          + r.getString("burst_detail") + "|" + r.getString("detail") + "|" + r.getOffsetDateTime("at").toInstant());
    }
    return out;
  }

  private List<String> points(String agentId) {
    List<String> out = new ArrayList<>();
    for (Row r : rows("SELECT p.score, p.at, r.at AS result_at FROM reliability_score_point p "
        + "JOIN reliability_result r ON r.result_id = p.result_id WHERE p.agent_id = $1 ORDER BY p.point_id", agentId)) {
      out.add(r.getDouble("score") + "@" + r.getOffsetDateTime("at").toInstant() + "/"
          + r.getOffsetDateTime("result_at").toInstant());
    }
    return out;
  }

  private Map<String, Object> state(String agentId) {
    Row r = rows("SELECT origin_at, expired_through, results, successes, failure_weight, rt_samples, rt_sum_t, "
        + "rt_sum_y, rt_sum_tt, rt_sum_ty, outliers, bursts, kind_counts::text AS kinds, baseline_ms::text AS baseline, "
        + "run_failures_ms::text AS runs, run_flagged, score, updated_at FROM reliability_state WHERE agent_id = $1",
        agentId).get(0);
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.getValue(i);
      m.put(r.getColumnName(i), v instanceof java.time.OffsetDateTime t ? t.toInstant() : v);
    }
    return m;
  }

  private double score(String agentId) {
    return rows("SELECT reliability_score FROM agent WHERE agent_id = $1", agentId).get(0).getDouble("reliability_score");
  }

  private List<Row> rows(String sql, Object... params) {
    List<Row> out = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(10)).forEach(out::add);
    return out;
  }
}
