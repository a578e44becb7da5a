package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an attack on the packaged app found after issue 18's fixes: a matrix parameter skipped the console's CSRF
 * check, a cross-site form could ride an operator's cached Basic credentials on the API, a NUL byte in a console URL
 * was a 500, and the sign-in redirect was built from the Host header. (The task-state flood it found: StateBudgetTest.)
 */
@QuarkusTest
class RequestTricksSecurityTest {

  @Test
  void a_matrix_parameter_does_not_reach_the_console_around_its_csrf_check() {
    TestAgent mallory = anAgent().register();
    RestAssured.given().urlEncodingEnabled(false).redirects().follow(false).auth().preemptive().basic("admin", "admin")
        .contentType("application/x-www-form-urlencoded").body("coordinator=true")
        .post("/console;x=1/agents/" + mallory.id() + "/grants").then().statusCode(404);
    RestAssured.given().urlEncodingEnabled(false).auth().preemptive().basic("admin", "admin")
        .get("/api/v1;x=1/agents").then().statusCode(404);
    operator().get("/api/v1/agents/" + mallory.id()).then().body("grants.coordinator", equalTo(false));
  }

  @Test
  void a_cross_site_form_cannot_ride_cached_basic_credentials_on_the_api() {
    TestAgent victim = anAgent().register();
    for (Map<String, String> browser : new Map[] {Map.of("Origin", "http://evil.example"),
        Map.of("Sec-Fetch-Site", "cross-site"), Map.of("Origin", "null")}) {
      RestAssured.given().auth().preemptive().basic("admin", "admin").headers(browser)
          .contentType("application/x-www-form-urlencoded").body("a=b")
          .post("/api/v1/agents/" + victim.id() + "/token").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }
    as(victim).post("/api/v1/agents/" + victim.id() + "/heartbeat").then().statusCode(200); // token unchanged
    // A script (no Origin) and a same-origin page still work.
    Response same = RestAssured.given().auth().preemptive().basic("admin", "admin")
        .header("Sec-Fetch-Site", "same-origin").post("/api/v1/agents/" + victim.id() + "/token");
    assertThat(same.statusCode()).isEqualTo(200);
    operator().post("/api/v1/agents/" + victim.id() + "/token").then().statusCode(200);
  }

  @Test
  void a_nul_byte_in_a_console_or_api_agent_id_is_a_404() {
    RestAssured.given().urlEncodingEnabled(false).auth().preemptive().basic("viewer", "viewer")
        .get("/console/agents/%00").then().statusCode(404);
    RestAssured.given().urlEncodingEnabled(false).auth().preemptive().basic("viewer", "viewer")
        .get("/console/agents/a%00b").then().statusCode(404);
    RestAssured.given().urlEncodingEnabled(false).auth().preemptive().basic("admin", "admin")
        .get("/api/v1/agents/a%00b").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
  }

  @Test
  void the_sign_in_redirect_ignores_the_host_header() {
    Response r = RestAssured.given().redirects().follow(false).header("Host", "evil.example")
        .contentType("application/x-www-form-urlencoded").formParam("j_username", "admin")
        .formParam("j_password", "admin").post("/j_security_check");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).isEqualTo("/console");
  }
}
