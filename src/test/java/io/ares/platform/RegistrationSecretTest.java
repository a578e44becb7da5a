package io.ares.platform;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(RegistrationSecretTest.WithSecret.class)
class RegistrationSecretTest {

  public static class WithSecret implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ares.registration.secret", "s3cret", "quarkus.flyway.clean-at-start", "false");
    }
  }

  @Test
  void registration_needs_the_secret_when_one_is_set() {
    anonymous().body(anAgent().body()).post("/api/v1/agents").then().statusCode(401)
        .body("code", equalTo("UNAUTHORIZED"));
    anonymous().header("X-Registration-Secret", "wrong").body(anAgent().body()).post("/api/v1/agents")
        .then().statusCode(401);
    anonymous().header("X-Registration-Secret", "s3cret").body(anAgent().body()).post("/api/v1/agents")
        .then().statusCode(201);
  }

  @Test
  void with_the_secret_an_agent_may_ask_for_the_coordinator_grant_at_registration() {
    java.util.HashMap<String, Object> body = new java.util.HashMap<>(anAgent().body());
    body.put("coordinator", true);
    anonymous().header("X-Registration-Secret", "wrong").body(body).post("/api/v1/agents").then().statusCode(401);
    String token = anonymous().header("X-Registration-Secret", "s3cret").body(body).post("/api/v1/agents")
        .then().statusCode(201).body("agent.grants.coordinator", equalTo(true)).extract().path("token");
    io.restassured.RestAssured.given().header("Authorization", "Bearer " + token)
        .contentType(io.restassured.http.ContentType.JSON)
        .body(Map.of("task", Map.of("type", "t"), "agent_ids", java.util.List.of(body.get("agent_id"))))
        .post("/api/v1/sessions").then().statusCode(201);
  }
}
