package io.ares.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.ares.testing.RandomManagementPort;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar (prod profile, configured only by environment variables) starts, migrates and serves.
 * Its management interface listens on a port the OS picks (see {@link RandomManagementPort}).
 */
@QuarkusIntegrationTest
@WithTestResource(RandomManagementPort.class)
class PackagedAppIT {

  private static String management() {
    AtomicReference<Optional<Integer>> port = new AtomicReference<>(Optional.empty());
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      port.set(RandomManagementPort.actual());
      return port.get().isPresent();
    });
    return "http://localhost:" + port.get().orElseThrow() + "/q/";
  }

  @Test
  void the_packaged_application_is_ready_and_takes_agents() {
    given().get(management() + "health/ready").then().statusCode(200).body("status", equalTo("UP"));
    String id = "it-" + UUID.randomUUID().toString().substring(0, 8);
    String token = given().contentType(ContentType.JSON).body(Map.of("agent_id", id))
        .post("/api/v1/agents").then().statusCode(201).extract().path("token");
    given().header("Authorization", "Bearer " + token).post("/api/v1/agents/" + id + "/heartbeat").then()
        .statusCode(200).body("status", equalTo("ACTIVE"));
    given().auth().preemptive().basic("admin", "it-secret").get("/api/v1/agents/" + id).then().statusCode(200);
  }

  /** Issue 18: {@code /q/metrics} was public on the main port of the packaged app. */
  @Test
  void metrics_and_health_are_on_the_management_port_only() {
    for (String path : new String[] {"/q/metrics", "/q/health", "/q/health/ready"}) {
      given().get(path).then().statusCode(404).body(not(containsString("ares_")));
    }
    given().get(management() + "metrics").then().statusCode(200).body(containsString("ares_sessions{state="));
    given().get(management() + "health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
        .body(containsString("/api/v1/agents"));
  }
}
