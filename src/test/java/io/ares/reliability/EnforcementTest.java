package io.ares.reliability;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Outcomes.an;
import static io.ares.testing.Outcomes.rejected;
import static io.ares.testing.Outcomes.validated;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.Outcomes;
import io.ares.testing.SettableClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Automatic quarantine (SPEC §2): 3 enforceable incidents within 1 h, or a score below 0.4 after 5 results. */
@QuarkusTest
class EnforcementTest {

  @Inject SettableClock clock;
  @Inject Pool pool;
  /** Metrics are served on the management port (SPEC §6). */
  @TestHTTPResource(value = "metrics", management = true) URL metrics;

  @BeforeEach
  void fixedClock() {
    clock.set(Instant.parse("2034-04-04T12:00:00Z"));
  }

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private static String status(TestAgent a) {
    return operator().get("/api/v1/agents/" + a.id()).then().statusCode(200).extract().path("status");
  }

  private double score(TestAgent a) {
    return rows("SELECT reliability_score FROM agent WHERE agent_id = $1", a.id()).get(0).getDouble(0);
  }

  private List<Row> rows(String sql, Object... args) {
    List<Row> out = new java.util.ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().forEach(out::add);
    return out;
  }

  private long count(String sql, Object... args) {
    return rows(sql, args).get(0).getLong(0);
  }

  @Test
  void three_enforceable_incidents_within_the_window_quarantine_the_agent() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), rejected());
    clock.advance(Duration.ofMinutes(10));
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("ACTIVE");
    clock.advance(Duration.ofMinutes(10));
    Outcomes.record(a.id(), an("TASK_TIMEOUT").detail("no ack within 60s"));
    assertThat(status(a)).isEqualTo("QUARANTINED");

    Row ev = rows("SELECT cause, actor, reason, from_status, to_status FROM agent_status_event "
        + "WHERE agent_id = $1 ORDER BY seq DESC LIMIT 1", a.id()).get(0);
    assertThat(ev.getString("cause")).isEqualTo("AUTO_QUARANTINE");
    assertThat(ev.getString("actor")).isEqualTo("ares");
    assertThat(ev.getString("from_status")).isEqualTo("ACTIVE");
    assertThat(ev.getString("reason")).startsWith("ENFORCEABLE_INCIDENTS: 3 enforceable incidents within 1h since "
        + "the last release (limit 3): PROOF_VALIDATION_FAILED x2, TASK_TIMEOUT x1; reliability score 0.");

    as(a).get("/api/v1/agents/" + a.id() + "/enforcement").then().statusCode(200)
        .body("total", equalTo(1))
        .body("items[0].action", equalTo("QUARANTINE"))
        .body("items[0].rule", equalTo("ENFORCEABLE_INCIDENTS"))
        .body("items[0].automatic", equalTo(true))
        .body("items[0].actor", equalTo("ares"))
        .body("items[0].from_status", equalTo("ACTIVE"))
        .body("items[0].to_status", equalTo("QUARANTINED"))
        .body("items[0].reason", startsWith("ENFORCEABLE_INCIDENTS: 3"));
  }

  @Test
  void incidents_older_than_the_enforcement_window_do_not_count() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), rejected(), rejected());
    clock.advance(Duration.ofMinutes(61));
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("ACTIVE");
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("ACTIVE");
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("QUARANTINED");
  }

  @Test
  void outcomes_in_one_caller_transaction_see_each_other() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), rejected(), rejected(), rejected());
    assertThat(status(a)).isEqualTo("QUARANTINED");
  }

  @Test
  void a_release_starts_the_count_afresh() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), rejected(), rejected(), rejected());
    assertThat(status(a)).isEqualTo("QUARANTINED");
    // Same instant: the three incidents are still within the hour, yet they no longer count.
    operator().body(Map.of("reason", "fixed the checksum bug")).post("/api/v1/agents/" + a.id() + "/release")
        .then().statusCode(200).body("status", equalTo("ACTIVE"));
    Outcomes.record(a.id(), rejected());
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("ACTIVE");
    Outcomes.record(a.id(), rejected());
    assertThat(status(a)).isEqualTo("QUARANTINED");

    operator().get("/api/v1/agents/" + a.id() + "/enforcement").then().statusCode(200)
        .body("total", equalTo(3))
        .body("items.action", contains("QUARANTINE", "RELEASE", "QUARANTINE"))
        .body("items.rule", contains("ENFORCEABLE_INCIDENTS", "OPERATOR", "ENFORCEABLE_INCIDENTS"))
        .body("items.automatic", contains(true, false, true))
        .body("items[1].actor", equalTo("operator:admin"))
        .body("items[1].reason", equalTo("fixed the checksum bug"));
  }

  @Test
  void a_score_below_the_threshold_after_min_samples_quarantines_the_agent() {
    TestAgent a = anAgent().register();
    // Coordination failures are medium and never enforceable by count; only the score can quarantine.
    for (int i = 0; i < 5; i++) {
      Outcomes.record(a.id(), an("COORDINATION_FAILED").assignment(null));
      clock.advance(Duration.ofMinutes(1));
    }
    // 3 / (4 + 2.5) - 0.05 (one failure burst) = 0.4115
    assertThat(score(a)).isCloseTo(0.411538462, within(1e-6));
    assertThat(status(a)).isEqualTo("ACTIVE");
    Outcomes.record(a.id(), an("COORDINATION_FAILED").assignment(null));
    // 3 / (4 + 3) - 0.05 = 0.3786 < 0.4 after 6 results
    assertThat(score(a)).isCloseTo(0.378571429, within(1e-6));
    assertThat(status(a)).isEqualTo("QUARANTINED");
    operator().get("/api/v1/agents/" + a.id() + "/enforcement").then()
        .body("items[0].rule", equalTo("SCORE_BELOW_THRESHOLD"))
        .body("items[0].reason", equalTo("SCORE_BELOW_THRESHOLD: reliability score 0.379 < 0.4 after 6 results (min 5)"));
    operator().get("/api/v1/agents/" + a.id() + "/reliability").then()
        .body("anomalies.type", contains("FAILURE_BURST"))
        .body("anomaly_penalty", equalTo(0.05f));
  }

  @Test
  void after_a_release_the_score_rule_waits_for_min_samples_again() {
    TestAgent a = anAgent().register();
    for (int i = 0; i < 6; i++) {
      Outcomes.record(a.id(), an("COORDINATION_FAILED").assignment(null));
    }
    assertThat(status(a)).isEqualTo("QUARANTINED");
    operator().body(Map.of("reason", "second chance")).post("/api/v1/agents/" + a.id() + "/release").then().statusCode(200);
    // The score stays below 0.4, but four results since the release are not enough to judge.
    for (int i = 0; i < 4; i++) {
      Outcomes.record(a.id(), an("AGENT_FAILURE").detail("E1"));
      assertThat(status(a)).isEqualTo("ACTIVE");
    }
    Outcomes.record(a.id(), an("AGENT_FAILURE").detail("E1"));
    assertThat(status(a)).isEqualTo("QUARANTINED");
  }

  @Test
  void a_quarantined_agent_keeps_its_results_and_is_not_quarantined_again() {
    TestAgent a = anAgent().register();
    operator().body(Map.of("reason", "suspicious output")).post("/api/v1/agents/" + a.id() + "/quarantine")
        .then().statusCode(200);
    Outcomes.record(a.id(), rejected(), rejected(), rejected(), rejected());
    assertThat(status(a)).isEqualTo("QUARANTINED");
    assertThat(count("SELECT count(*) FROM incident WHERE agent_id = $1", a.id())).isEqualTo(4);
    operator().get("/api/v1/agents/" + a.id() + "/enforcement").then()
        .body("total", equalTo(1))
        .body("items[0].rule", equalTo("OPERATOR"))
        .body("items[0].automatic", equalTo(false))
        .body("items[0].actor", equalTo("operator:admin"))
        .body("items[0].reason", equalTo("suspicious output"));
  }

  @Test
  void a_deregistered_agent_is_never_quarantined() {
    TestAgent a = anAgent().register();
    operator().delete("/api/v1/agents/" + a.id()).then().statusCode(204);
    Outcomes.record(a.id(), an("COMPENSATION_FAILED").detail("agent deregistered"), rejected(), rejected(), rejected());
    assertThat(status(a)).isEqualTo("DEREGISTERED");
    assertThat(count("SELECT count(*) FROM reliability_result WHERE agent_id = $1", a.id())).isEqualTo(4);
  }

  @Test
  void timeouts_of_an_unresponsive_agent_record_only_the_unresponsive_incident() {
    TestAgent a = anAgent().register();
    pool.preparedQuery("UPDATE agent SET status = 'UNRESPONSIVE' WHERE agent_id = $1")
        .execute(Tuple.of(a.id())).await().indefinitely();
    Outcomes.record(a.id(), an("AGENT_UNRESPONSIVE").assignment(null).detail("lease expired"),
        an("TASK_TIMEOUT"), an("TASK_TIMEOUT"));
    operator().get("/api/v1/agents/" + a.id() + "/incidents").then()
        .body("total", equalTo(1)).body("items[0].code", equalTo("AGENT_UNRESPONSIVE"));
    assertThat(count("SELECT count(*) FROM reliability_result WHERE agent_id = $1 AND NOT counted", a.id())).isEqualTo(2);
    // One lapse, one failure: 3 / (4 + 1) = 0.6
    assertThat(score(a)).isCloseTo(0.6, within(1e-9));
    operator().get("/api/v1/agents/" + a.id() + "/reliability").then()
        .body("results", equalTo(1))
        .body("completion_pattern.TASK_TIMEOUT", equalTo(2))
        .body("completion_pattern.AGENT_UNRESPONSIVE", equalTo(1));
  }

  @Test
  void a_rolled_back_caller_transaction_leaves_no_trace() {
    TestAgent a = anAgent().register();
    Outcomes.recordAndRollBack(a.id(), rejected(), rejected(), rejected());
    assertThat(status(a)).isEqualTo("ACTIVE");
    assertThat(score(a)).isEqualTo(0.75);
    assertThat(count("SELECT count(*) FROM reliability_result WHERE agent_id = $1", a.id())).isZero();
    assertThat(count("SELECT count(*) FROM incident WHERE agent_id = $1", a.id())).isZero();
    assertThat(count("SELECT count(*) FROM reliability_state WHERE agent_id = $1", a.id())).isZero();
    assertThat(count("SELECT count(*) FROM enforcement_action WHERE agent_id = $1", a.id())).isZero();
  }

  @Test
  void an_honest_agents_score_rises_with_every_validated_result() {
    TestAgent a = anAgent().register();
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMinutes(5));
      Outcomes.record(a.id(), validated(1000 - i)); // a little faster each time: no trend penalty
    }
    assertThat(score(a)).isCloseTo(13.0 / 14.0, within(1e-9));
    List<Float> history = as(a).get("/api/v1/agents/" + a.id() + "/reliability/history").then().statusCode(200)
        .extract().path("score");
    assertThat(history).hasSize(10).isSorted();
    assertThat(history.get(0)).isEqualTo(0.8f);
    as(a).get("/api/v1/agents/" + a.id() + "/reliability").then()
        .body("raw_success_rate", equalTo(1.0f))
        .body("anomalies.size()", equalTo(0));
  }

  @Test
  void a_response_time_far_outside_the_baseline_is_an_anomaly() {
    TestAgent a = anAgent().register();
    for (int i = 0; i < 8; i++) {
      clock.advance(Duration.ofMinutes(1));
      Outcomes.record(a.id(), validated(1000));
    }
    clock.advance(Duration.ofMinutes(1));
    Outcomes.record(a.id(), validated(5000));
    // 12 / 13 - 0.03 (one outlier) - 0.05 (the trend penalty's cap: the last sample pulls the slope up hard)
    assertThat(score(a)).isCloseTo(12.0 / 13.0 - 0.03 - 0.05, within(1e-9));
    operator().get("/api/v1/agents/" + a.id() + "/reliability").then()
        .body("anomalies.size()", equalTo(1))
        .body("anomalies[0].type", equalTo("RESPONSE_TIME_OUTLIER"))
        .body("anomalies[0].detail", containsString("5000 ms is far above the baseline (median 1000 ms"))
        .body("anomalies[0].at", equalTo("2034-04-04T12:09:00Z"));
  }

  @Test
  void results_leave_the_window_after_seven_days() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), an("AGENT_FAILURE").detail("E1"), an("AGENT_FAILURE").detail("E2"), validated(1000));
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    Outcomes.record(a.id(), validated(1000));
    assertThat(score(a)).isCloseTo(0.8, within(1e-12));
    operator().get("/api/v1/agents/" + a.id() + "/reliability").then()
        .body("results", equalTo(1))
        .body("completion_pattern.AGENT_FAILURE", equalTo(0))
        .body("completion_pattern.VALIDATED", equalTo(1))
        .body("response_time_trend.samples", equalTo(1))
        .body("failure_weight", equalTo(0.0f));
    // The incidents stay in the record.
    operator().get("/api/v1/agents/" + a.id() + "/incidents").then().body("total", equalTo(2));
  }

  @Test
  void metrics_count_incidents_enforcement_actions_and_scores() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), rejected(), rejected(), rejected());
    given().get(metrics).then().statusCode(200)
        .body(containsString("ares_incidents_total{code=\"PROOF_VALIDATION_FAILED\"}"))
        .body(containsString("ares_enforcement_actions_total{action=\"QUARANTINE\",rule=\"ENFORCEABLE_INCIDENTS\"}"))
        .body(containsString("ares_reliability_score_count"))
        .body(containsString("ares_reliability_score_bucket{le=\"0.8\"}"));
  }
}
