package io.ares.platform;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Health, metrics and OpenAPI (SPEC §6). Health and metrics are served by Quarkus' management interface,
 * a second HTTP server (9000 in production, a port the OS picks in tests), and not by the public port;
 * OpenAPI and Swagger UI stay on the public port.
 */
@QuarkusTest
class OperationsTest {

  /** The management interface's root, {@code http://localhost:<management port>/q/}. */
  @TestHTTPResource(value = "", management = true)
  URL management;

  private String managed(String path) {
    return management + path;
  }

  @Test
  void health_endpoints_are_up_and_readiness_checks_the_schema() {
    given().get(managed("health/live")).then().statusCode(200).body("status", equalTo("UP"));
    given().get(managed("health/started")).then().statusCode(200);
    given().get(managed("health/ready")).then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.name", hasItem("ares-schema"));
  }

  @Test
  void metrics_expose_heartbeats_and_agents_by_status() {
    TestAgent a = anAgent().register();
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    given().get(managed("metrics")).then().statusCode(200)
        .body(containsString("ares_heartbeats_total"))
        .body(containsString("ares_agents{status=\"ACTIVE\"}"))
        .body(containsString("ares_sessions{state=\"COMPLETED\"}"))
        .body(containsString("ares_monitor_lag_seconds"));
  }

  /**
   * The reproduction of issue 18's finding: {@code /q/metrics} (and health) answered anyone on the public
   * port. They are now 404 there, with or without credentials, and served only on the management port.
   */
  @Test
  void the_public_port_serves_neither_metrics_nor_health() {
    for (String path : new String[] {"/q/metrics", "/q/metrics/", "/q/health", "/q/health/live",
        "/q/health/ready", "/q/health/started", "/q/health/well", "/q/health-ui"}) {
      given().get(path).then().statusCode(404).body(not(containsString("ares_")));
      given().auth().preemptive().basic("admin", "admin").get(path).then().statusCode(404)
          .body(not(containsString("ares_")));
    }
    given().get(managed("metrics")).then().statusCode(200).body(containsString("ares_"));
    given().get(managed("health")).then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void openapi_documents_the_agent_endpoints() {
    given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
        .body(containsString("/api/v1/agents/{id}/heartbeat"))
        .body(containsString("/api/v1/agents/{id}/token"));
  }

  @Test
  void openapi_and_swagger_ui_stay_on_the_public_port() {
    given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    given().get(managed("openapi")).then().statusCode(404);
    given().get(managed("swagger-ui/")).then().statusCode(404);
  }
}
