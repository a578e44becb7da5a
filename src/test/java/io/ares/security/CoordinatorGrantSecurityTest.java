package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.viewer;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.poll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, finding 1: an anonymous agent must not be able to hand work to honest agents (and so get them timed out,
 * rejected and quarantined, or fill their capacity), nor probe which agent ids exist. Creation needs the
 * coordinator grant; tasks cannot ask for less than the minimum time to work.
 */
@QuarkusTest
class CoordinatorGrantSecurityTest {

  private static long sessionsOf(TestAgent agent) {
    return operator().queryParam("agent_id", agent.id()).get("/api/v1/sessions").then().statusCode(200)
        .extract().jsonPath().getLong("total");
  }

  @Test
  void an_agent_without_the_grant_cannot_hand_work_to_a_victim() {
    TestAgent mallory = anAgent().register();
    TestAgent victim = anAgent().register();
    Map<String, Object> attack = aSession().agents(victim).completionTimeout(10).body();
    for (int i = 0; i < 3; i++) {
      as(mallory).body(attack).post("/api/v1/sessions").then().statusCode(403)
          .body("code", equalTo("FORBIDDEN")).body("detail", containsString("coordinator grant"));
    }
    // Nothing was created: no session names the victim, it has nothing to poll, its capacity is untouched.
    assertThat(sessionsOf(victim)).isZero();
    assertThat(poll(victim)).isEmpty();
    operator().get("/api/v1/agents/" + victim.id()).then().statusCode(200).body("open_assignments", equalTo(0));
  }

  @Test
  void an_agent_without_the_grant_learns_nothing_about_which_agents_exist() {
    TestAgent mallory = anAgent().register();
    TestAgent existing = anAgent().register();
    as(mallory).body(Map.of("task", Map.of("type", "x"), "agent_ids", List.of("no-such-agent-zz")))
        .post("/api/v1/sessions").then().statusCode(403).body("detail", org.hamcrest.Matchers.not(containsString("no-such")));
    as(mallory).body(Map.of("task", Map.of("type", "x"), "agent_ids", List.of(existing.id())))
        .post("/api/v1/sessions").then().statusCode(403);
    as(mallory).body(Map.of("task", Map.of("type", "x"), "capability", "summarise", "count", 1))
        .post("/api/v1/sessions").then().statusCode(403);
  }

  @Test
  void open_registration_cannot_ask_for_the_grant() {
    Map<String, Object> body = new HashMap<>(anAgent().body());
    body.put("coordinator", true);
    anonymous().body(body).post("/api/v1/agents").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    operator().get("/api/v1/agents/" + body.get("agent_id")).then().statusCode(404);
    // Asking for no grant is the ordinary registration.
    body.put("coordinator", false);
    anonymous().body(body).post("/api/v1/agents").then().statusCode(201).body("agent.grants.coordinator", equalTo(false));
  }

  @Test
  void the_operator_grants_and_revokes_and_a_revoked_coordinator_still_reads_and_cancels_its_sessions() {
    TestAgent coord = anAgent().register();
    TestAgent worker = anAgent().register();
    operator().get("/api/v1/agents/" + coord.id()).then().body("grants.coordinator", equalTo(false));
    operator().body(Map.of("coordinator", true)).put("/api/v1/agents/" + coord.id() + "/grants").then()
        .statusCode(200).body("grants.coordinator", equalTo(true)).body("agent_id", equalTo(coord.id()));
    String id = as(coord).body(aSession().agents(worker).body()).post("/api/v1/sessions").then().statusCode(201)
        .extract().path("session_id");

    operator().body(Map.of("coordinator", false)).put("/api/v1/agents/" + coord.id() + "/grants").then()
        .statusCode(200).body("grants.coordinator", equalTo(false));
    as(coord).body(aSession().agents(worker).body()).post("/api/v1/sessions").then().statusCode(403);
    as(coord).get("/api/v1/sessions/" + id).then().statusCode(200);
    as(coord).body(Map.of("reason", "no longer needed")).post("/api/v1/sessions/" + id + "/cancel").then()
        .statusCode(200).body("state", equalTo("ROLLED_BACK"));
    // The history says who changed the grant.
    operator().get("/console/agents/" + coord.id()).then().statusCode(200)
        .body(containsString("COORDINATOR_GRANTED")).body(containsString("COORDINATOR_REVOKED"));
  }

  @Test
  void only_an_operator_sets_grants_and_the_body_is_strict() {
    TestAgent a = anAgent().register();
    String path = "/api/v1/agents/" + a.id() + "/grants";
    as(a).body(Map.of("coordinator", true)).put(path).then().statusCode(403);
    viewer().body(Map.of("coordinator", true)).put(path).then().statusCode(403);
    anonymous().body(Map.of("coordinator", true)).put(path).then().statusCode(401);
    operator().body(Map.of("coordinator", "yes")).put(path).then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    operator().body("null").put(path).then().statusCode(400);
    operator().body("[true]").put(path).then().statusCode(400);
    operator().body(Map.of()).put(path).then().statusCode(400);
    operator().body(Map.of("coordinator", true)).put("/api/v1/agents/no-such-agent-zz/grants").then().statusCode(404);
    operator().get("/api/v1/agents/" + a.id()).then().body("grants.coordinator", equalTo(false));
  }

  @Test
  void a_task_cannot_give_its_agents_less_than_the_minimum_time_to_work() {
    TestAgent worker = anAgent().register();
    TestAgent coord = anAgent().coordinator().register();
    operator().body(aSession().agents(worker).completionTimeout(1).body()).post("/api/v1/sessions").then()
        .statusCode(400).body("detail", containsString("min-completion-timeout"));
    as(coord).body(aSession().agents(worker).completionTimeout(9).body()).post("/api/v1/sessions").then()
        .statusCode(400);
    assertThat(sessionsOf(worker)).isZero();
    as(coord).body(aSession().agents(worker).completionTimeout(10).body()).post("/api/v1/sessions").then()
        .statusCode(201);
  }
}
