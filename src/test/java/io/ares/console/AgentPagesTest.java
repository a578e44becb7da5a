package io.ares.console;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The agents list and the agent page; quarantine, release and token rotation through the console. */
@QuarkusTest
class AgentPagesTest extends io.ares.testing.AgentsReadTheEngineClock {

  static String status(TestAgent a) {
    return operator().get("/api/v1/agents/" + a.id()).then().extract().path("status");
  }

  @Test
  void the_list_shows_status_heartbeat_and_score_and_filters_by_status() {
    TestAgent a = anAgent().capabilities("translate-" + System.nanoTime()).register();
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    String cap = operator().get("/api/v1/agents/" + a.id()).then().extract().path("capabilities[0]");
    ConsoleClient op = ConsoleClient.operator();
    String html = op.page("/console/agents?capability=" + cap);
    assertThat(html).contains(a.id(), "ACTIVE", "0.75", "1 agent(s)");
    assertThat(html).containsPattern("(just now|\\d+ s ago)");
    assertThat(html).contains("hx-get=\"/console/fragments/agents?capability=" + cap + "\"");
    String quarantined = op.page("/console/agents?status=QUARANTINED&capability=" + cap);
    assertThat(quarantined).contains("No agent matches these filters.");
  }

  @Test
  void the_agent_page_shows_current_assignments_and_the_status_machine() {
    TestAgent a = anAgent().register();
    String sessionId = aSession().agents(a).create().getString("session_id");
    String html = ConsoleClient.operator().page("/console/agents/" + a.id());
    assertThat(html).contains("Current assignments", "/console/sessions/" + sessionId, "PENDING");
    assertThat(html).contains("id=\"sm-agent\"", "data-state=\"QUARANTINED\"");
    assertThat(SessionPagesTest.marksCurrent(html, "sm-agent", "ACTIVE")).isTrue();
    assertThat(html).contains("Score history", "Enforcement history", "Never quarantined.", "REGISTERED",
        "No incident.");
  }

  @Test
  void quarantine_and_release_through_the_console_are_recorded_with_their_reason() {
    TestAgent a = anAgent().register();
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/agents/" + a.id());

    Response ask = op.post("/console/agents/" + a.id() + "/quarantine", Map.of("reason", "cheated twice"));
    assertThat(ask.statusCode()).isEqualTo(200);
    assertThat(ask.asString()).contains("Quarantine agent " + a.id(), "cheated twice");
    assertThat(status(a)).isEqualTo("ACTIVE");

    Response done = op.post("/console/agents/" + a.id() + "/quarantine",
        Map.of("reason", "cheated twice", "confirmed", "yes"));
    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(status(a)).isEqualTo("QUARANTINED");

    String page = op.page("/console/agents/" + a.id() + "?done=quarantined");
    assertThat(page).contains("The agent is quarantined", "cheated twice", "MANUAL_QUARANTINE", "operator:admin",
        "/release\"");
    assertThat(page).doesNotContain("/quarantine\"");
    assertThat(SessionPagesTest.marksCurrent(page, "sm-agent", "QUARANTINED")).isTrue();

    assertThat(op.post("/console/agents/" + a.id() + "/release", Map.of("reason", "fixed", "confirmed", "yes"))
        .statusCode()).isEqualTo(303);
    assertThat(status(a)).isEqualTo("ACTIVE");
    assertThat(op.page("/console/agents/" + a.id())).contains("release", "fixed");
  }

  @Test
  void a_rotated_token_is_shown_once_and_the_old_one_stops_working() {
    TestAgent a = anAgent().register();
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/agents/" + a.id());
    Response ask = op.post("/console/agents/" + a.id() + "/token", Map.of());
    assertThat(ask.asString()).contains("Rotate the token", "name=\"confirmed\" value=\"yes\"");
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);

    Response rotated = op.post("/console/agents/" + a.id() + "/token", Map.of("confirmed", "yes"));
    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(rotated.getHeader("Cache-Control")).contains("no-store");
    Matcher m = Pattern.compile("<pre class=\"token\" id=\"new-token\">([^<]+)</pre>").matcher(rotated.asString());
    assertThat(m.find()).isTrue();
    String token = m.group(1);

    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(401);
    as(new TestAgent(a.id(), token)).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    assertThat(op.page("/console/agents/" + a.id())).doesNotContain(token);
  }

  @Test
  void the_coordinator_grant_is_given_and_taken_on_the_agent_page() {
    TestAgent a = anAgent().register();
    ConsoleClient op = ConsoleClient.operator();
    assertThat(op.page("/console/agents/" + a.id())).contains("Grant coordinator", "cannot create sessions");
    Response granted = op.post("/console/agents/" + a.id() + "/grants", Map.of("coordinator", "true"));
    assertThat(granted.statusCode()).isEqualTo(303);
    io.ares.testing.Api.operator().get("/api/v1/agents/" + a.id()).then().body("grants.coordinator",
        org.hamcrest.Matchers.equalTo(true));
    assertThat(op.page("/console/agents/" + a.id() + "?done=granted"))
        .contains("may now create sessions", "Revoke coordinator grant", "COORDINATOR_GRANTED", "operator:admin");
    assertThat(op.post("/console/agents/" + a.id() + "/grants", Map.of("coordinator", "false")).statusCode())
        .isEqualTo(303);
    io.ares.testing.Api.operator().get("/api/v1/agents/" + a.id()).then().body("grants.coordinator",
        org.hamcrest.Matchers.equalTo(false));
    // A viewer sees no action and is refused if it posts.
    ConsoleClient viewer = ConsoleClient.viewer();
    assertThat(viewer.page("/console/agents/" + a.id())).doesNotContain("Grant coordinator");
    assertThat(viewer.post("/console/agents/" + a.id() + "/grants", Map.of("coordinator", "true")).statusCode())
        .isEqualTo(403);
  }

  @Test
  void a_page_action_right_after_a_verdict_never_fails_on_the_engines_own_write() {
    TestAgent a = anAgent().register();
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/agents/" + a.id());
    for (int i = 0; i < 10; i++) {
      aSession().agents(a).create();
      io.ares.testing.Sessions.work(a, Map.of());
      assertThat(op.post("/console/agents/" + a.id() + "/quarantine",
          Map.of("reason", "check " + i, "confirmed", "yes")).statusCode()).isEqualTo(303);
      assertThat(op.post("/console/agents/" + a.id() + "/release",
          Map.of("reason", "ok " + i, "confirmed", "yes")).statusCode()).isEqualTo(303);
    }
    assertThat(status(a)).isEqualTo("ACTIVE");
  }

  @Test
  void incidents_and_the_score_history_come_from_the_reliability_records() {
    TestAgent a = anAgent().register();
    String sessionId = aSession().agents(a).create().getString("session_id");
    Map<String, Object> m = io.ares.testing.Sessions.takeDelegation(a);
    Map<String, Object> bad = io.ares.testing.Sessions.evidence((String) m.get("task_id"), "forged", Map.of());
    bad.put("checksum", "0".repeat(64));
    io.ares.testing.Sessions.submit(a, (String) m.get("assignment_id"), bad);

    String html = ConsoleClient.operator().page("/console/agents/" + a.id());
    assertThat(html).contains("PROOF_VALIDATION_FAILED", "checksum mismatch", "/console/sessions/" + sessionId,
        "1 in all");
    assertThat(html).contains("<svg class=\"chart line\"", "class=\"score-line\"", "quarantine below 0.40");
  }

  @Test
  void an_unknown_agent_is_a_404_page() {
    Response r = ConsoleClient.operator().get("/console/agents/nobody-here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.asString()).contains("agent nobody-here not found");
  }
}
