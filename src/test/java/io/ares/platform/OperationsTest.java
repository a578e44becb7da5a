package io.ares.platform;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, metrics and OpenAPI (SPEC §6). */
@QuarkusTest
class OperationsTest {

  @Test
  void health_endpoints_are_up_and_readiness_checks_the_schema() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/started").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.name", hasItem("ares-schema"));
  }

  @Test
  void metrics_expose_heartbeats_and_agents_by_status() {
    TestAgent a = anAgent().register();
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200)
        .body(containsString("ares_heartbeats_total"))
        .body(containsString("ares_agents{status=\"ACTIVE\"}"))
        .body(containsString("ares_sessions{state=\"COMPLETED\"}"))
        .body(containsString("ares_monitor_lag_seconds"));
  }

  @Test
  void openapi_documents_the_agent_endpoints() {
    given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
        .body(containsString("/api/v1/agents/{id}/heartbeat"))
        .body(containsString("/api/v1/agents/{id}/token"));
  }
}
