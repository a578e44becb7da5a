package io.ares.monitor;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor's sweeps, driven by hand with the settable clock: no test sleeps for a deadline. */
@QuarkusTest
class MonitorTest {

  @Inject SettableClock clock;
  @Inject Monitor monitor;
  @Inject Pool pool;

  @org.junit.jupiter.api.BeforeEach
  void agentsReadTheEngineClock() {
    clock.set(java.time.Instant.now()); // frozen: only the test moves time
    io.ares.testing.Sessions.now = clock::instant;
  }

  @AfterEach
  void reset() {
    clock.reset();
    io.ares.testing.Sessions.now = java.time.Instant::now;
  }

  Monitor.Report sweep() throws Exception {
    return monitor.sweepNow().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static JsonPath session(String id) {
    return operator().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
  }

  static String agentStatus(TestAgent a) {
    return operator().get("/api/v1/agents/" + a.id()).then().extract().path("status");
  }

  @Test
  void an_expired_lease_makes_the_agent_unresponsive_and_times_out_its_work() throws Exception {
    TestAgent fast = anAgent().heartbeatInterval(1).register();
    TestAgent other = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(fast, other).create().getString("session_id");
    takeDelegation(fast);
    clock.advance(Duration.ofSeconds(4));
    sweep();
    assertThat(agentStatus(fast)).isEqualTo("UNRESPONSIVE");
    assertThat(agentStatus(other)).isEqualTo("ACTIVE");
    JsonPath s = session(id);
    assertThat(s.getString("assignments.find { it.agent_id == '" + fast.id() + "' }.state")).isEqualTo("TIMED_OUT");
    // Quorum 2 is out of reach: the session rolls back (nothing validated).
    assertThat(s.getString("state")).isEqualTo("ROLLED_BACK");
    // The agent comes back with a heartbeat; its timed-out work stays timed out.
    as(fast).post("/api/v1/agents/" + fast.id() + "/heartbeat").then().statusCode(200).body("status", equalTo("ACTIVE"));
    assertThat(session(id).getString("assignments.find { it.agent_id == '" + fast.id() + "' }.state"))
        .isEqualTo("TIMED_OUT");
  }

  @Test
  void a_long_poll_from_an_unresponsive_agent_makes_it_active_again() throws Exception {
    TestAgent a = anAgent().heartbeatInterval(1).register();
    clock.advance(Duration.ofSeconds(5));
    sweep();
    assertThat(agentStatus(a)).isEqualTo("UNRESPONSIVE");
    poll(a);
    assertThat(agentStatus(a)).isEqualTo("ACTIVE");
  }

  @Test
  void an_unacknowledged_assignment_times_out_and_is_replaced_after_the_backoff() throws Exception {
    String cap = uniqueId("cap");
    TestAgent a = anAgent().capabilities(cap).heartbeatInterval(3600).register();
    TestAgent b = anAgent().capabilities(cap).heartbeatInterval(3600).register();
    JsonPath created = aSession().capability(cap, 1).retry(2, 5).create();
    String id = created.getString("session_id");
    String first = created.getString("assignments[0].agent_id");
    TestAgent firstAgent = first.equals(a.id()) ? a : b;
    TestAgent secondAgent = first.equals(a.id()) ? b : a;
    takeDelegation(firstAgent);
    clock.advance(Duration.ofSeconds(61));
    sweep();
    JsonPath s = session(id);
    assertThat(s.getString("state")).isEqualTo("IN_PROGRESS");
    assertThat(s.getString("assignments[0].state")).isEqualTo("TIMED_OUT");
    assertThat(s.getList("assignments")).hasSize(1);
    clock.advance(Duration.ofSeconds(5));
    sweep();
    s = session(id);
    assertThat(s.getList("assignments")).hasSize(2);
    assertThat(s.getString("assignments[1].agent_id")).isEqualTo(secondAgent.id());
    assertThat(s.getInt("assignments[1].attempt")).isEqualTo(2);
    work(secondAgent, Map.of());
    assertThat(session(id).getString("state")).isEqualTo("COMPLETED");
  }

  @Test
  void an_acknowledged_assignment_times_out_after_the_completion_timeout() throws Exception {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(a).completionTimeout(30).create().getString("session_id");
    Map<String, Object> m = takeDelegation(a);
    as(a).post("/api/v1/assignments/" + m.get("assignment_id") + "/ack").then().statusCode(200);
    clock.advance(Duration.ofSeconds(29));
    sweep();
    assertThat(session(id).getString("assignments[0].state")).isEqualTo("ACKNOWLEDGED");
    clock.advance(Duration.ofSeconds(2));
    sweep();
    assertThat(session(id).getString("assignments[0].state")).isEqualTo("TIMED_OUT");
    assertThat(session(id).getString("state")).isEqualTo("ROLLED_BACK");
    List<String> causes = operator().get("/api/v1/sessions/" + id + "/events").then().extract().jsonPath()
        .getList("items.cause");
    assertThat(causes).contains("COMPLETION_TIMEOUT");
  }

  @Test
  void a_session_past_its_deadline_compensates_its_validated_work() throws Exception {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    TestAgent b = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(a, b).deadlineSeconds(50).create().getString("session_id");
    work(a, Map.of());
    takeDelegation(b);
    clock.advance(Duration.ofSeconds(51));
    sweep();
    JsonPath s = session(id);
    assertThat(s.getString("state")).isEqualTo("COMPENSATING");
    assertThat(s.getString("cause")).isEqualTo("DEADLINE_PASSED");
    List<Map<String, Object>> orders = poll(a);
    assertThat(orders).extracting(o -> o.get("type")).containsExactly("compensation");
    as(a).body(Map.of("ok", true)).post("/api/v1/assignments/" + orders.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(200);
    assertThat(session(id).getString("state")).isEqualTo("ROLLED_BACK");
  }

  @Test
  void an_unconfirmed_compensation_is_redelivered_with_the_same_key_then_fails_after_max_attempts() throws Exception {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(a).create().getString("session_id");
    work(a, Map.of());
    // Completed sessions owe nothing; use a two-agent session instead to force compensation.
    TestAgent b = anAgent().heartbeatInterval(3600).register();
    TestAgent c = anAgent().heartbeatInterval(3600).register();
    String id2 = aSession().agents(b, c).create().getString("session_id");
    work(b, Map.of());
    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id2 + "/cancel").then().statusCode(200);
    String key = null;
    for (int delivery = 1; delivery <= 5; delivery++) {
      List<Map<String, Object>> msgs = poll(b);
      assertThat(msgs).as("delivery " + delivery).hasSize(1);
      assertThat(msgs.get(0).get("delivery")).isEqualTo(delivery);
      if (key == null) {
        key = (String) msgs.get(0).get("idempotency_key");
      }
      assertThat(msgs.get(0).get("idempotency_key")).isEqualTo(key);
      assertThat(poll(b)).as("not redelivered before the timeout").isEmpty();
      clock.advance(Duration.ofSeconds(30 + (1L << (delivery - 1)) * 2));
    }
    assertThat(poll(b)).isEmpty();
    sweep();
    JsonPath s = session(id2);
    assertThat(s.getString("assignments.find { it.agent_id == '" + b.id() + "' }.state")).isEqualTo("COMPENSATION_FAILED");
    assertThat(s.getString("state")).isEqualTo("COMPENSATION_FAILED");
    assertThat(session(id).getString("state")).isEqualTo("COMPLETED");
  }

  @Test
  void a_compensation_order_its_agent_never_collects_fails_after_the_collection_window() throws Exception {
    TestAgent b = anAgent().heartbeatInterval(3600).register();
    TestAgent c = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(b, c).create().getString("session_id");
    work(b, Map.of());
    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(200);
    // b stays ACTIVE (long lease) but never polls again. Window: 5 × (30 s + 1 s × 2^4) = 230 s.
    clock.advance(Duration.ofSeconds(229));
    sweep();
    assertThat(session(id).getString("assignments.find { it.agent_id == '" + b.id() + "' }.state"))
        .as("still owed inside the window").isEqualTo("COMPENSATING");
    clock.advance(Duration.ofSeconds(2));
    sweep();
    JsonPath s = session(id);
    assertThat(s.getString("assignments.find { it.agent_id == '" + b.id() + "' }.state")).isEqualTo("COMPENSATION_FAILED");
    assertThat(s.getString("state")).isEqualTo("COMPENSATION_FAILED");
    assertThat(operator().get("/api/v1/sessions/" + id + "/events?size=100").jsonPath()
        .getList("items.cause", String.class)).contains("ORDER_NOT_COLLECTED");
  }

  @Test
  void deregistration_times_out_open_work_and_fails_owed_compensations_at_once() {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    TestAgent b = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(a, b).create().getString("session_id");
    work(a, Map.of());
    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(200);
    assertThat(session(id).getString("assignments.find { it.agent_id == '" + a.id() + "' }.state"))
        .isEqualTo("COMPENSATING");
    as(a).delete("/api/v1/agents/" + a.id()).then().statusCode(204);
    JsonPath s = session(id);
    assertThat(s.getString("assignments.find { it.agent_id == '" + a.id() + "' }.state")).isEqualTo("COMPENSATION_FAILED");
    assertThat(s.getString("state")).isEqualTo("COMPENSATION_FAILED");

    TestAgent c = anAgent().heartbeatInterval(3600).register();
    String id2 = aSession().agents(c).create().getString("session_id");
    operator().delete("/api/v1/agents/" + c.id()).then().statusCode(204);
    assertThat(session(id2).getString("assignments[0].state")).isEqualTo("TIMED_OUT");
    assertThat(session(id2).getString("state")).isEqualTo("ROLLED_BACK");
  }

  @Test
  void two_concurrent_sweeps_handle_every_due_row_exactly_once() throws Exception {
    String cap = uniqueId("race");
    int n = 12;
    for (int i = 0; i < n; i++) {
      TestAgent a = anAgent().capabilities(cap).heartbeatInterval(1).register();
      aSession().agents(a).create();
    }
    clock.advance(Duration.ofSeconds(10));
    CompletableFuture<Monitor.Report> one = monitor.sweepNow().toCompletableFuture();
    CompletableFuture<Monitor.Report> two = monitor.sweepNow().toCompletableFuture();
    one.get(60, TimeUnit.SECONDS);
    two.get(60, TimeUnit.SECONDS);
    sweep();
    long unresponsiveEvents = pool.preparedQuery(
            "SELECT count(*) AS n FROM agent_status_event e JOIN agent a ON a.agent_id = e.agent_id "
                + "WHERE $1 = ANY(a.capabilities) AND e.to_status = 'UNRESPONSIVE'")
        .execute(Tuple.of(cap)).await().indefinitely().iterator().next().getLong("n");
    assertThat(unresponsiveEvents).isEqualTo(n);
    long timeouts = pool.preparedQuery(
            "SELECT count(*) AS n FROM session_event e JOIN assignment x ON x.assignment_id = e.entity_id "
                + "JOIN agent a ON a.agent_id = x.agent_id WHERE $1 = ANY(a.capabilities) AND e.to_state = 'TIMED_OUT'")
        .execute(Tuple.of(cap)).await().indefinitely().iterator().next().getLong("n");
    assertThat(timeouts).isEqualTo(n);
    long duplicates = pool.query(
            "SELECT count(*) AS n FROM (SELECT entity_id, to_state FROM session_event "
                + "GROUP BY entity_id, from_state, to_state HAVING count(*) > 1) d")
        .execute().await().indefinitely().iterator().next().getLong("n");
    assertThat(duplicates).isZero();
  }

  @Test
  void an_agent_whose_lease_ran_out_gets_no_new_work_even_before_the_sweep_marks_it() {
    String cap = uniqueId("stale");
    anAgent().capabilities(cap).heartbeatInterval(1).register();
    clock.advance(Duration.ofSeconds(5)); // lease (3 s) expired, no sweep yet: still ACTIVE
    operator().body(aSession().capability(cap, 1).body()).post("/api/v1/sessions").then().statusCode(422)
        .body("code", equalTo("NO_ELIGIBLE_AGENTS"));
  }
}
