package io.ares.agent;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Api.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AgentApiTest {

  @Inject SettableClock clock;
  @Inject Pool pool;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  @Test
  void registration_returns_the_token_once_and_stores_only_its_hash() {
    String id = uniqueId("reg");
    var r = anonymous().body(anAgent().id(id).body()).post("/api/v1/agents");
    r.then().statusCode(201)
        .body("agent_id", equalTo(id))
        .body("status", equalTo("ACTIVE"))
        .body("lease_expires_at", notNullValue())
        .body("coordination_endpoint", equalTo("/api/v1/agents/" + id + "/assignments"));
    String token = r.path("token");
    assertThat(token).startsWith("ares_").hasSizeGreaterThan(40);
    // The detail never shows the token again.
    operator().get("/api/v1/agents/" + id).then().statusCode(200)
        .body("token", nullValue())
        .body("reliability_score", equalTo(0.75f))
        .body("last_heartbeat_at", nullValue())
        .body("capabilities", hasItem("summarise"));
    var row = pool.preparedQuery("SELECT token_hash FROM agent WHERE agent_id = $1")
        .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).await().indefinitely().iterator().next();
    assertThat(row.getBuffer("token_hash").getBytes()).isEqualTo(AgentService.tokenHash(token));
  }

  @Test
  void a_taken_id_is_a_conflict_and_a_deregistered_id_is_never_reused() {
    TestAgent a = anAgent().register();
    anonymous().body(anAgent().id(a.id()).body()).post("/api/v1/agents").then().statusCode(409)
        .contentType("application/problem+json").body("code", equalTo("CONFLICT"));
    as(a).delete("/api/v1/agents/" + a.id()).then().statusCode(204);
    anonymous().body(anAgent().id(a.id()).body()).post("/api/v1/agents").then().statusCode(409)
        .body("code", equalTo("CONFLICT"));
  }

  @Test
  void heartbeat_renews_the_lease_from_the_injected_clock() {
    TestAgent a = anAgent().heartbeatInterval(10).register();
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    clock.set(t);
    as(a).body("{\"ignored\": true}").post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200)
        .body("status", equalTo("ACTIVE"))
        .body("lease_expires_at", equalTo("2030-01-01T00:00:30Z"))
        .body("pending_assignments", equalTo(0));
    operator().get("/api/v1/agents/" + a.id()).then()
        .body("last_heartbeat_at", equalTo("2030-01-01T00:00:00Z"));
  }

  @Test
  void heartbeat_ignores_any_body_even_malformed() {
    TestAgent a = anAgent().register();
    as(a).body("{not json").post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
  }

  @Test
  void heartbeat_accepts_a_form_typed_empty_body_as_curl_sends_it() {
    TestAgent a = anAgent().register();
    io.restassured.RestAssured.given().header("Authorization", "Bearer " + a.token())
        .contentType("application/x-www-form-urlencoded").body("")
        .post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    io.restassured.RestAssured.given().header("Authorization", "Bearer " + a.token())
        .post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
  }

  @Test
  void heartbeat_of_an_unresponsive_agent_makes_it_active_again() {
    TestAgent a = anAgent().register();
    pool.preparedQuery("UPDATE agent SET status = 'UNRESPONSIVE' WHERE agent_id = $1")
        .execute(io.vertx.mutiny.sqlclient.Tuple.of(a.id())).await().indefinitely();
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200).body("status", equalTo("ACTIVE"));
    long events = pool.preparedQuery(
            "SELECT count(*) AS n FROM agent_status_event WHERE agent_id = $1 AND cause = 'SIGN_OF_LIFE'")
        .execute(io.vertx.mutiny.sqlclient.Tuple.of(a.id())).await().indefinitely().iterator().next().getLong("n");
    assertThat(events).isEqualTo(1);
  }

  @Test
  void heartbeat_refuses_missing_wrong_and_foreign_tokens() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    anonymous().post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(401)
        .contentType("application/problem+json").body("code", equalTo("UNAUTHORIZED"));
    anonymous().header("Authorization", "Bearer ares_nope").post("/api/v1/agents/" + a.id() + "/heartbeat")
        .then().statusCode(401);
    as(b).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
  }

  @Test
  void token_rotation_replaces_the_token_and_the_old_one_stops_working() {
    TestAgent a = anAgent().register();
    String fresh = operator().post("/api/v1/agents/" + a.id() + "/token").then().statusCode(200)
        .body("token", not(equalTo(a.token()))).extract().path("token");
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(401);
    as(new TestAgent(a.id(), fresh)).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    viewer().post("/api/v1/agents/" + a.id() + "/token").then().statusCode(403);
    as(a).post("/api/v1/agents/" + a.id() + "/token").then().statusCode(401);
  }

  @Test
  void deregistration_revokes_the_token() {
    TestAgent a = anAgent().register();
    operator().delete("/api/v1/agents/" + a.id()).then().statusCode(204);
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(401);
    as(a).get("/api/v1/agents/" + a.id()).then().statusCode(401);
    operator().get("/api/v1/agents/" + a.id()).then().statusCode(200).body("status", equalTo("DEREGISTERED"));
    operator().delete("/api/v1/agents/" + a.id()).then().statusCode(409).body("code", equalTo("INVALID_TRANSITION"))
        .body("current_state", equalTo("DEREGISTERED"));
  }

  @Test
  void an_agent_may_not_deregister_another() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    as(b).delete("/api/v1/agents/" + a.id()).then().statusCode(403);
    viewer().delete("/api/v1/agents/" + a.id()).then().statusCode(403);
  }

  @Test
  void list_filters_by_status_and_capability_and_pages() {
    String cap = uniqueId("cap");
    TestAgent a1 = anAgent().capabilities(cap).register();
    anAgent().capabilities(cap).register();
    anAgent().capabilities(cap).register();
    operator().delete("/api/v1/agents/" + a1.id()).then().statusCode(204);
    viewer().queryParam("capability", cap).get("/api/v1/agents").then().statusCode(200)
        .body("total", equalTo(3)).body("items.size()", equalTo(3)).body("size", equalTo(50)).body("page", equalTo(0));
    viewer().queryParam("capability", cap).queryParam("status", "ACTIVE").get("/api/v1/agents").then()
        .body("total", equalTo(2));
    viewer().queryParam("capability", cap).queryParam("size", 2).queryParam("page", 1).get("/api/v1/agents").then()
        .body("total", equalTo(3)).body("items.size()", equalTo(1)).body("page", equalTo(1));
    viewer().queryParam("status", "SLEEPING").get("/api/v1/agents").then().statusCode(400)
        .body("code", equalTo("VALIDATION_FAILED"));
    viewer().queryParam("size", 501).get("/api/v1/agents").then().statusCode(400);
    viewer().queryParam("size", "x").get("/api/v1/agents").then().statusCode(400);
  }

  @Test
  void an_agent_reads_its_own_detail_but_not_the_list_or_others() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    as(a).get("/api/v1/agents/" + a.id()).then().statusCode(200);
    as(a).get("/api/v1/agents/" + b.id()).then().statusCode(403);
    as(a).get("/api/v1/agents").then().statusCode(403);
    operator().get("/api/v1/agents/no-such-agent").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
  }

  @Test
  void quarantine_and_release_by_an_operator_follow_the_status_machine() {
    TestAgent a = anAgent().register();
    operator().body(Map.of("reason", "manual check")).post("/api/v1/agents/" + a.id() + "/quarantine")
        .then().statusCode(200).body("status", equalTo("QUARANTINED"));
    operator().body(Map.of("reason", "again")).post("/api/v1/agents/" + a.id() + "/quarantine")
        .then().statusCode(409).body("code", equalTo("INVALID_TRANSITION"))
        .body("allowed_next_states", hasItem("ACTIVE"));
    // A quarantined agent keeps its status whatever its heartbeats do.
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200).body("status", equalTo("QUARANTINED"));
    operator().body(Map.of("reason", "ok")).post("/api/v1/agents/" + a.id() + "/release")
        .then().statusCode(200).body("status", equalTo("ACTIVE"));
    operator().body(Map.of()).post("/api/v1/agents/" + a.id() + "/quarantine").then().statusCode(400);
    viewer().body(Map.of("reason", "x")).post("/api/v1/agents/" + a.id() + "/quarantine").then().statusCode(403);
  }

  @Test
  void release_after_the_lease_expired_returns_the_agent_unresponsive() {
    TestAgent a = anAgent().heartbeatInterval(1).register();
    operator().body(Map.of("reason", "r")).post("/api/v1/agents/" + a.id() + "/quarantine").then().statusCode(200);
    clock.advance(Duration.ofMinutes(5));
    operator().body(Map.of("reason", "r")).post("/api/v1/agents/" + a.id() + "/release")
        .then().statusCode(200).body("status", equalTo("UNRESPONSIVE"));
  }

  @Test
  void the_lease_is_interval_times_tolerance_after_registration() {
    Instant t = Instant.parse("2031-05-05T10:00:00Z");
    clock.set(t);
    TestAgent a = anAgent().heartbeatInterval(7).register();
    operator().get("/api/v1/agents/" + a.id()).then().body("lease_expires_at", equalTo("2031-05-05T10:00:21Z"))
        .body("heartbeat_interval_seconds", greaterThanOrEqualTo(7));
  }

  @Test
  void a_long_poll_renews_the_lease_at_most_once_per_coalescing_period_and_a_heartbeat_always() {
    Instant t = Instant.parse("2032-02-02T10:00:00Z");
    clock.set(t);
    TestAgent a = anAgent().heartbeatInterval(10).register(); // lease t + 30 s
    clock.advance(Duration.ofSeconds(5));
    poll(a); // written when it opens (t + 35 s)
    assertThat(lease(a)).isEqualTo(t.plusSeconds(35));
    clock.advance(Duration.ofMillis(500));
    poll(a); // 0.5 s after the last write: inside ares.heartbeat.sign-of-life-coalesce (1 s), not written now ...
    assertThat(lease(a)).isEqualTo(t.plusSeconds(35));
    // ... but once, when the period ends (the clock still reads t + 5.5 s)
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lease(a).equals(t.plusMillis(35_500)));
    clock.advance(Duration.ofMillis(100));
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200)
        .body("lease_expires_at", equalTo("2032-02-02T10:00:35.600Z"));
    assertThat(lease(a)).isEqualTo(t.plusMillis(35_600));
  }

  @Test
  void signs_of_life_are_coalesced_within_a_tenth_of_a_short_lease() {
    Instant t = Instant.parse("2032-03-03T10:00:00Z");
    clock.set(t);
    TestAgent a = anAgent().heartbeatInterval(1).register(); // lease 3 s: a tenth is 300 ms, under the 1 s period
    poll(a);
    clock.advance(Duration.ofMillis(350));
    poll(a); // 350 ms after the write: past a tenth of the lease, written at once
    assertThat(lease(a)).isEqualTo(t.plusMillis(3_350));
    clock.advance(Duration.ofMillis(100));
    poll(a); // 100 ms after it: coalesced, then written when the 300 ms are over
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lease(a).equals(t.plusMillis(3_450)));
  }

  private static void poll(TestAgent a) {
    as(a).queryParam("wait_seconds", 0).get("/api/v1/agents/" + a.id() + "/assignments").then().statusCode(200);
  }

  private Instant lease(TestAgent a) {
    return pool.preparedQuery("SELECT lease_expires_at FROM agent WHERE agent_id = $1")
        .execute(io.vertx.mutiny.sqlclient.Tuple.of(a.id())).await().indefinitely()
        .iterator().next().getOffsetDateTime("lease_expires_at").toInstant();
  }
}
