package io.ares.console;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Sessions.aSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may see and do what in the console: sign-in, Basic, viewers, CSRF, escaping of client-sent values. */
@QuarkusTest
class ConsoleSecurityTest extends io.ares.testing.AgentsReadTheEngineClock {

  @Test
  void an_anonymous_visitor_is_sent_to_the_login_page() {
    for (String path : List.of("/console", "/console/sessions", "/console/agents", "/console/fragments/dashboard")) {
      Response r = given().redirects().follow(false).get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(302);
      assertThat(r.getHeader("Location")).as(path).endsWith("/console/login");
    }
  }

  @Test
  void the_login_page_is_a_form_posting_to_the_form_authentication() {
    String html = given().get("/console/login").then().statusCode(200).contentType(ContentType.HTML)
        .extract().asString();
    assertThat(html).contains("action=\"/j_security_check\"", "name=\"j_username\"", "name=\"j_password\"");
    assertThat(html).doesNotContain("Sign out");
  }

  @Test
  void signing_in_with_the_form_lands_on_the_dashboard() {
    Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
        .formParam("j_username", "admin").formParam("j_password", "admin").post("/j_security_check");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).endsWith("/console");
    String session = r.getCookie("ares-session");
    assertThat(session).isNotBlank();
    String html = given().cookie("ares-session", session).get("/console").then().statusCode(200).extract().asString();
    assertThat(html).contains("<h1>Dashboard</h1>", "admin", "Sign out");
  }

  @Test
  void a_wrong_password_returns_to_the_login_page_with_a_message() {
    Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
        .formParam("j_username", "admin").formParam("j_password", "nope").post("/j_security_check");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).contains("/console/login?error");
    assertThat(r.getCookie("ares-session")).isNull();
    assertThat(given().get("/console/login?error=true").asString()).contains("Wrong user name or password.");
  }

  @Test
  void http_basic_is_accepted_for_scripts() {
    given().auth().preemptive().basic("admin", "admin").get("/console").then().statusCode(200);
    given().auth().preemptive().basic("viewer", "viewer").get("/console/sessions").then().statusCode(200);
    Response wrong = given().redirects().follow(false).auth().preemptive().basic("admin", "wrong").get("/console");
    assertThat(wrong.statusCode()).isEqualTo(302);
  }

  @Test
  void an_agent_token_does_not_open_the_console() {
    TestAgent a = anAgent().register();
    given().redirects().follow(false).header("Authorization", "Bearer " + a.token()).get("/console")
        .then().statusCode(403);
  }

  @Test
  void signing_out_clears_the_session_cookie_and_ends_the_session_on_the_server() {
    ConsoleClient c = ConsoleClient.operator();
    String old = c.cookies().get("ares-session");
    Response r = c.post("/console/logout", Map.of());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.getHeader("Location")).endsWith("/console/login?logout=true");
    assertThat(r.getDetailedCookie("ares-session").getMaxAge()).isEqualTo(0);
    assertThat(r.getDetailedCookie("ares-session").getValue()).isEmpty();
    Response after = c.get("/console");
    assertThat(after.statusCode()).isEqualTo(302);
    // a copy of the cookie taken before signing out opens nothing any more
    Response copy = given().redirects().follow(false).cookie("ares-session", old).get("/console");
    assertThat(copy.statusCode()).isEqualTo(302);
    assertThat(copy.getHeader("Location")).endsWith("/console/login");
  }

  @Test
  void the_operator_sees_the_actions_and_the_viewer_sees_none() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");

    String op = ConsoleClient.operator().page("/console/sessions/" + id);
    assertThat(op).contains("action=\"/console/sessions/" + id + "/cancel\"", "name=\"csrf-token\"");

    String view = ConsoleClient.viewer().page("/console/sessions/" + id);
    assertThat(view).doesNotContain("/cancel\"").doesNotContain("textarea").contains("signed in as a viewer");

    String agentPage = ConsoleClient.viewer().page("/console/agents/" + a.id());
    assertThat(agentPage).doesNotContain("/quarantine\"").doesNotContain("/token\"").contains("signed in as a viewer");
  }

  @Test
  void a_viewer_posting_an_action_anyway_is_refused_with_403() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient viewer = ConsoleClient.viewer();
    viewer.page("/console/sessions/" + id);

    Response cancel = viewer.post("/console/sessions/" + id + "/cancel", Map.of("reason", "x", "confirmed", "yes"));
    assertThat(cancel.statusCode()).isEqualTo(403);
    assertThat(cancel.asString()).contains("Not allowed");
    assertThat(viewer.post("/console/agents/" + a.id() + "/quarantine", Map.of("reason", "x", "confirmed", "yes"))
        .statusCode()).isEqualTo(403);
    assertThat(viewer.post("/console/agents/" + a.id() + "/token", Map.of("confirmed", "yes")).statusCode())
        .isEqualTo(403);
    assertThat(viewer.post("/console/sessions/" + id + "/compensation/retry", Map.of("confirmed", "yes"))
        .statusCode()).isEqualTo(403);

    operator().get("/api/v1/sessions/" + id).then().statusCode(200)
        .body("state", org.hamcrest.Matchers.equalTo("INITIALIZING"));
    operator().get("/api/v1/agents/" + a.id()).then().body("status", org.hamcrest.Matchers.equalTo("ACTIVE"));
  }

  @Test
  void a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/sessions/" + id);

    Response noToken = op.postRaw("/console/sessions/" + id + "/cancel", Map.of("reason", "x", "confirmed", "yes"));
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.asString()).contains("Not allowed");
    Response wrongToken = op.postRaw("/console/sessions/" + id + "/cancel",
        Map.of("reason", "x", "confirmed", "yes", "csrf-token", "AAAAAAAAAAAAAAAAAAAAAA"));
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    Response logout = op.postRaw("/console/logout", Map.of());
    assertThat(logout.statusCode()).isEqualTo(403);

    operator().get("/api/v1/sessions/" + id).then().body("state", org.hamcrest.Matchers.equalTo("INITIALIZING"));
    // A JSON body is checked like a form (ConsoleSecurityAttacksTest tries every content type).
    Response json = op.request().contentType(ContentType.JSON).body("{\"reason\":\"x\",\"confirmed\":\"yes\"}")
        .post("/console/sessions/" + id + "/cancel");
    assertThat(json.statusCode()).isEqualTo(403);
    operator().get("/api/v1/sessions/" + id).then().body("state", org.hamcrest.Matchers.equalTo("INITIALIZING"));
  }

  @Test
  void no_cookie_is_handed_to_api_callers_nor_to_visitors_of_the_login_page() {
    TestAgent a = anAgent().register();
    // The CSRF token lives in the signed-in session (no cookie of its own); the API (agents' polls, operators' reads)
    // sets no cookie either.
    assertThat(given().get("/console/login").getHeaders().getValues("Set-Cookie")).isEmpty();
    Response poll = given().header("Authorization", "Bearer " + a.token()).queryParam("wait_seconds", 0)
        .get("/api/v1/agents/" + a.id() + "/assignments");
    assertThat(poll.statusCode()).isEqualTo(200);
    assertThat(poll.getHeaders().getValues("Set-Cookie")).isEmpty();
    Response beat = given().header("Authorization", "Bearer " + a.token()).post("/api/v1/agents/" + a.id() + "/heartbeat");
    assertThat(beat.statusCode()).isEqualTo(200);
    assertThat(beat.getHeaders().getValues("Set-Cookie")).isEmpty();
    Response read = operator().get("/api/v1/agents/" + a.id());
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeaders().getValues("Set-Cookie")).isEmpty();
  }

  @Test
  void a_malicious_agent_name_is_shown_as_text() {
    String id = uniqueId("evil");
    anonymous().body(Map.of("agent_id", id, "name", "<script>alert(1)</script>", "capabilities",
            List.of("<img src=x onerror=alert(2)>"), "metadata", Map.of("note", "</pre><script>alert(3)</script>")))
        .post("/api/v1/agents").then().statusCode(201);
    ConsoleClient op = ConsoleClient.operator();
    String page = op.page("/console/agents/" + id);
    assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;");
    String capability = "<img src=x onerror=alert(2)>";
    for (String path : List.of("/console/agents/" + id, "/console/fragments/agents/" + id,
        io.ares.console.Fmt.url("/console/agents", "capability", capability),
        io.ares.console.Fmt.url("/console/fragments/agents", "capability", capability))) {
      String html = op.page(path);
      assertThat(html).as(path).doesNotContain("<script>alert(").doesNotContain("<img src=x");
    }
    assertThat(op.page(io.ares.console.Fmt.url("/console/agents", "capability", capability)))
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;", id);
  }

  @Test
  void task_input_and_evidence_sent_by_clients_are_escaped_and_cut() {
    TestAgent a = anAgent().register();
    Map<String, Object> body = new java.util.LinkedHashMap<>(aSession().agents(a).body());
    String longText = "<b>bold</b> " + "x".repeat(1000);
    body.put("task", Map.of("type", "<i>t</i>", "input", Map.of("text", longText)));
    String id = operator().body(body).post("/api/v1/sessions").then().statusCode(201).extract().path("session_id");
    Map<String, Object> m = io.ares.testing.Sessions.takeDelegation(a);
    io.ares.testing.Sessions.submit(a, (String) m.get("assignment_id"),
        io.ares.testing.Sessions.evidence((String) m.get("task_id"), "<script>alert('out')</script>" + "y".repeat(500),
            Map.of()));

    ConsoleClient op = ConsoleClient.operator();
    String html = op.page("/console/sessions/" + id);
    assertThat(html).doesNotContain("<b>bold</b>").doesNotContain("<script>alert('out')").doesNotContain("<i>t</i>");
    assertThat(html).contains("&lt;b&gt;bold&lt;/b&gt;", "&lt;i&gt;t&lt;/i&gt;", "show whole input",
        "/console/sessions/" + id + "/input");
    String whole = op.page("/console/sessions/" + id + "/input");
    assertThat(whole).contains("x".repeat(1000)).doesNotContain("<b>bold</b>");
    String evidence = op.page("/console/sessions/" + id + "/assignments/" + m.get("assignment_id") + "/evidence");
    assertThat(evidence).contains("y".repeat(500)).contains("&lt;script&gt;").doesNotContain("<script>alert('out')");
  }
}
