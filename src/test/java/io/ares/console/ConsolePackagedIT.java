package io.ares.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.ares.testing.RandomManagementPort;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

/** The packaged jar carries the console: templates from ui-templates/, the stylesheet and htmx from Maven. */
@QuarkusIntegrationTest
@WithTestResource(RandomManagementPort.class) // not 9000: other builds may run at the same time
class ConsolePackagedIT {

  @Test
  void the_packaged_console_serves_its_pages_stylesheet_and_htmx() {
    given().redirects().follow(false).get("/console").then().statusCode(302);
    given().get("/console/login").then().statusCode(200).body(containsString("/j_security_check"));
    given().auth().preemptive().basic("admin", "it-secret").get("/console").then().statusCode(200)
        .body(containsString("<h1>Dashboard</h1>"), containsString("id=\"dashboard-live\""));
    given().get("/console.css").then().statusCode(200).body(containsString("svg.machine"));
    given().get("/_static/htmx.org/dist/htmx.min.js").then().statusCode(200).body(containsString("htmx"));
  }
}
