package io.ares.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The packaged jar (prod profile, configured only by environment variables) starts, migrates and serves. */
@QuarkusIntegrationTest
class PackagedAppIT {

  @Test
  void the_packaged_application_is_ready_and_takes_agents() {
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    String id = "it-" + UUID.randomUUID().toString().substring(0, 8);
    String token = given().contentType(ContentType.JSON).body(Map.of("agent_id", id))
        .post("/api/v1/agents").then().statusCode(201).extract().path("token");
    given().header("Authorization", "Bearer " + token).post("/api/v1/agents/" + id + "/heartbeat").then()
        .statusCode(200).body("status", equalTo("ACTIVE"));
    given().auth().preemptive().basic("admin", "it-secret").get("/api/v1/agents/" + id).then().statusCode(200);
  }
}
