package io.ares.platform;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The 401/403 rules of SPEC §3 for the operator and viewer accounts. */
@QuarkusTest
class SecurityTest {

  @Test
  void no_credentials_is_401_with_a_problem() {
    anonymous().get("/api/v1/agents").then().statusCode(401).contentType("application/problem+json")
        .body("code", equalTo("UNAUTHORIZED"));
  }

  @Test
  void a_wrong_password_is_401() {
    given().auth().preemptive().basic("admin", "wrong").get("/api/v1/agents").then().statusCode(401);
    given().auth().preemptive().basic("nobody", "admin").get("/api/v1/agents").then().statusCode(401);
  }

  @Test
  void a_wrong_bearer_token_is_401() {
    given().header("Authorization", "Bearer not-a-token").get("/api/v1/agents").then().statusCode(401);
  }

  @Test
  void viewer_reads_but_may_not_write() {
    TestAgent a = anAgent().register();
    given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/agents").then().statusCode(200);
    given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/agents/" + a.id()).then().statusCode(200);
    given().auth().preemptive().basic("viewer", "viewer").contentType(ContentType.JSON)
        .post("/api/v1/agents/" + a.id() + "/token").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    given().auth().preemptive().basic("viewer", "viewer").delete("/api/v1/agents/" + a.id()).then().statusCode(403);
  }

  @Test
  void an_agent_token_is_not_an_operator() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    given().header("Authorization", "Bearer " + a.token()).contentType(ContentType.JSON)
        .post("/api/v1/agents/" + b.id() + "/token").then().statusCode(403);
    given().header("Authorization", "Bearer " + a.token()).contentType(ContentType.JSON)
        .body("{\"reason\": \"x\"}").post("/api/v1/agents/" + a.id() + "/release").then().statusCode(403);
  }
}
