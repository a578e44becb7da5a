package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs and sequences found in review: each used to give a 5xx or leave a session stuck. */
@QuarkusTest
class HardeningTest {

  @Test
  void a_session_whose_owed_agent_left_still_settles() {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    TestAgent b = anAgent().heartbeatInterval(3600).register();
    TestAgent c = anAgent().heartbeatInterval(3600).register();
    String id = aSession().agents(a, b, c).create().getString("session_id");
    work(a, Map.of());
    work(b, Map.of());
    operator().delete("/api/v1/agents/" + a.id()).then().statusCode(204); // VALIDATED, then gone
    operator().delete("/api/v1/agents/" + b.id()).then().statusCode(204);
    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(200)
        .body("state", equalTo("COMPENSATION_FAILED"));
  }

  @Test
  void explicit_null_agent_ids_is_not_a_back_door_past_validation() {
    operator().body("{\"task\": {\"type\": \"x\"}, \"agent_ids\": null}").post("/api/v1/sessions").then()
        .statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    operator().body("{\"task\": {\"type\": \"x\"}, \"agent_ids\": null, \"capability\": \"c\", \"count\": 0}")
        .post("/api/v1/sessions").then().statusCode(400);
  }

  @Test
  void absurd_numbers_are_refused_not_expanded() {
    TestAgent a = anAgent().register();
    operator().body(aSession().agents(a).criteria("q", ">= 1e999999999").body()).post("/api/v1/sessions").then()
        .statusCode(400);
    operator().body(aSession().agents(a).criteria("q", ">= 1e99999999999").body()).post("/api/v1/sessions").then()
        .statusCode(400);
    aSession().agents(a).criteria("q", ">= 5").create();
    Map<String, Object> m = takeDelegation(a);
    as(a).body("{\"task_id\": \"" + m.get("task_id") + "\", \"metrics\": {\"q\": 1e400}}")
        .post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence").then().statusCode(400);
    as(a).body("{\"task_id\": \"" + m.get("task_id") + "\", \"output\": " + "9".repeat(400) + "}")
        .post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence").then().statusCode(400);
    // Nothing was recorded: honest evidence is still judged.
    as(a).body(evidence((String) m.get("task_id"), "ok", Map.of("q", 6)))
        .post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence").then().statusCode(200)
        .body("overall_success", equalTo(true));
  }

  @Test
  void characters_postgres_cannot_store_are_a_400() {
    TestAgent a = anAgent().register();
    operator().body("{\"task\": {\"type\": \"x\\u0000y\"}, \"agent_ids\": [\"" + a.id() + "\"]}")
        .post("/api/v1/sessions").then().statusCode(400);
    operator().queryParam("capability", "a\u0000b").get("/api/v1/agents").then().statusCode(400);
    as(a).post("/api/v1/agents/%00/heartbeat").then().statusCode(404);
    operator().queryParam("page", 2147483647).queryParam("size", 500).get("/api/v1/sessions").then().statusCode(400);
    operator().queryParam("since", "+999999999-01-01T00:00:00Z").get("/api/v1/sessions").then().statusCode(400);
  }
}
