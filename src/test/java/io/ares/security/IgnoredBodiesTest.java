package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.takeDelegation;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3: endpoints whose body is ignored (heartbeat, ack, cancel without a reason) keep ignoring it whatever its
 * content type — a form, text/plain, multipart — and no body type turns a cookie or anything else into a credential.
 */
@QuarkusTest
class IgnoredBodiesTest {

  private static RequestSpecification as(TestAgent a) {
    return RestAssured.given().header("Authorization", "Bearer " + a.token());
  }

  @Test
  void heartbeat_ack_and_cancel_ignore_any_body() {
    TestAgent a = anAgent().register();
    String sessionId = aSession().agents(a).create().getString("session_id");
    String assignmentId = (String) takeDelegation(a).get("assignment_id");
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/octet-stream"}) {
      var request = as(a).contentType(type);
      request = type.endsWith("octet-stream") ? request.body("a=b".getBytes(java.nio.charset.StandardCharsets.UTF_8))
          : request.body("a=b");
      request.post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    }
    as(a).contentType("text/plain").body("whatever").post("/api/v1/assignments/" + assignmentId + "/ack").then()
        .statusCode(200).body("state", equalTo("ACKNOWLEDGED"));
    RestAssured.given().auth().preemptive().basic("admin", "admin").contentType("text/plain").body("reason=ignored")
        .post("/api/v1/sessions/" + sessionId + "/cancel").then().statusCode(200)
        .body("state", equalTo("ROLLED_BACK"));
    // A reason still comes as JSON, and a JSON body that is not an object is still refused.
    String other = aSession().agents(anAgent().register()).create().getString("session_id");
    RestAssured.given().auth().preemptive().basic("admin", "admin").contentType("application/json").body("null")
        .post("/api/v1/sessions/" + other + "/cancel").then().statusCode(400);
    RestAssured.given().auth().preemptive().basic("admin", "admin").contentType("application/json")
        .body(Map.of("reason", "no longer needed")).post("/api/v1/sessions/" + other + "/cancel").then()
        .statusCode(200);
  }
}
