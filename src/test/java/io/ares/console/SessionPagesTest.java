package io.ares.console;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.work;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sessions list, the session page (machines, assignments, compensation, timeline) and its actions. */
@QuarkusTest
class SessionPagesTest extends io.ares.testing.AgentsReadTheEngineClock {

  static String state(String sessionId) {
    return operator().get("/api/v1/sessions/" + sessionId).then().statusCode(200).extract().path("state");
  }

  static boolean marksCurrent(String html, String machine, String state) {
    int start = html.indexOf("id=\"" + machine + "\"");
    int end = html.indexOf("</svg>", start);
    String svg = html.substring(start, end);
    return Pattern.compile("<g class=\"state current[^\"]*\" data-state=\"" + state + "\">").matcher(svg).find();
  }

  @Test
  void the_session_page_draws_both_machines_from_the_tables_with_the_current_state_marked() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    String html = ConsoleClient.operator().page("/console/sessions/" + id);

    assertThat(html).contains("<svg class=\"machine\" id=\"sm-session\"", "<svg class=\"machine\" id=\"sm-assignment\"");
    assertThat(marksCurrent(html, "sm-session", "INITIALIZING")).isTrue();
    assertThat(marksCurrent(html, "sm-assignment", "PENDING")).isTrue();
    // every state of both tables is drawn
    for (String s : List.of("IN_PROGRESS", "COMPLETED", "COMPENSATING", "ROLLED_BACK", "COMPENSATION_FAILED",
        "DELEGATED", "ACKNOWLEDGED", "VALIDATED", "REJECTED", "TIMED_OUT", "COMPENSATED")) {
      assertThat(html).contains("data-state=\"" + s + "\"");
    }
    assertThat(html).contains("hx-get=\"/console/fragments/sessions/" + id + "\"", "hx-trigger=\"every 3s\"",
        "/_static/htmx.org/dist/htmx.min.js");
  }

  @Test
  void the_path_taken_is_highlighted_and_a_completed_session_stops_polling() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    work(a, Map.of("quality_score", 9.0));
    assertThat(state(id)).isEqualTo("COMPLETED");

    String html = ConsoleClient.operator().page("/console/sessions/" + id);
    assertThat(marksCurrent(html, "sm-session", "COMPLETED")).isTrue();
    assertThat(marksCurrent(html, "sm-assignment", "VALIDATED")).isTrue();
    assertThat(html).contains("<path class=\"edge taken\"");
    assertThat(html).contains("<title>INITIALIZING → IN_PROGRESS: first delivery</title>");
    assertThat(html).contains("<title>SUBMITTED → VALIDATED: evidence valid</title>");
    assertThat(html).contains("class=\"verdict ok\"");
    assertThat(html).doesNotContain("hx-trigger=\"every 3s\"");
    assertThat(html).contains("EVIDENCE_VALID", "FIRST_DELIVERY");
  }

  @Test
  void cancelling_through_the_console_changes_the_state_after_a_confirmation_step() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/sessions/" + id);

    Response step1 = op.post("/console/sessions/" + id + "/cancel", Map.of("reason", "operator test"));
    assertThat(step1.statusCode()).isEqualTo(200);
    assertThat(step1.asString()).contains("Cancel session", "name=\"confirmed\" value=\"yes\"", "operator test");
    assertThat(state(id)).isEqualTo("INITIALIZING");

    Response step2 = op.post("/console/sessions/" + id + "/cancel",
        Map.of("reason", "operator test", "confirmed", "yes"));
    assertThat(step2.statusCode()).isEqualTo(303);
    assertThat(step2.getHeader("Location")).endsWith("/console/sessions/" + id + "?done=cancelled");
    assertThat(state(id)).isEqualTo("ROLLED_BACK");

    String after = op.page("/console/sessions/" + id + "?done=cancelled");
    assertThat(after).contains("The session was cancelled", "operator test", "CANCELLED");
    assertThat(marksCurrent(after, "sm-session", "ROLLED_BACK")).isTrue();
    assertThat(after).doesNotContain("/cancel\"");
  }

  @Test
  void a_cancel_without_a_reason_asks_for_one() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient op = ConsoleClient.operator();
    Response r = op.post("/console/sessions/" + id + "/cancel", Map.of("reason", " ", "confirmed", "yes"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.asString()).contains("A reason is required.");
    assertThat(state(id)).isEqualTo("INITIALIZING");
  }

  @Test
  void htmx_confirmed_actions_answer_with_hx_redirect() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient op = ConsoleClient.operator();
    op.page("/console/sessions/" + id);
    Response r = op.request().header("HX-Request", "true").contentType(io.restassured.http.ContentType.URLENC)
        .formParam("reason", "via htmx").formParam("csrf-token", op.csrfToken())
        .post("/console/sessions/" + id + "/cancel");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("HX-Redirect")).isEqualTo("/console/sessions/" + id + "?done=cancelled");
    assertThat(state(id)).isEqualTo("ROLLED_BACK");
  }

  @Test
  void cancelling_a_finished_session_shows_the_refusal() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    work(a, Map.of());
    Response r = ConsoleClient.operator().post("/console/sessions/" + id + "/cancel",
        Map.of("reason", "too late", "confirmed", "yes"));
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.contentType()).startsWith("text/html");
    assertThat(r.asString()).contains("does not accept CANCEL");
  }

  @Test
  void a_failed_compensation_shows_progress_and_can_be_retried() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aSession().agents(a, b).quorum(2).create().getString("session_id");
    work(a, Map.of());
    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(200);
    Map<String, Object> order = poll(a).stream().filter(m -> "compensation".equals(m.get("type"))).findFirst()
        .orElseThrow();
    as(a).body(Map.of("ok", false, "detail", "disk <full>")).post("/api/v1/assignments/" + order.get("assignment_id")
        + "/compensated").then().statusCode(200);
    assertThat(state(id)).isEqualTo("COMPENSATION_FAILED");

    ConsoleClient op = ConsoleClient.operator();
    String html = op.page("/console/sessions/" + id);
    assertThat(html).contains("<h2>Compensation", (String) order.get("idempotency_key"), "disk &lt;full&gt;",
        "/compensation/retry\"");
    assertThat(marksCurrent(html, "sm-session", "COMPENSATION_FAILED")).isTrue();

    Response retry = op.post("/console/sessions/" + id + "/compensation/retry", Map.of("confirmed", "yes"));
    assertThat(retry.statusCode()).isEqualTo(303);
    assertThat(state(id)).isEqualTo("COMPENSATING");
  }

  /**
   * Two agents, quorum 2: {@code a} delivers valid work, {@code b} evidence with a wrong checksum (rejected, the
   * quorum out of reach), then {@code a} refuses its compensation ("already published"). Returns the session id.
   */
  static String failedByAChecksumThenARefusal(TestAgent a, TestAgent b) {
    String id = aSession().agents(a, b).quorum(2).create().getString("session_id");
    work(a, Map.of());
    Map<String, Object> m = io.ares.testing.Sessions.takeDelegation(b);
    String assignmentId = (String) m.get("assignment_id");
    as(b).post("/api/v1/assignments/" + assignmentId + "/ack").then().statusCode(200);
    Map<String, Object> forged = new java.util.HashMap<>(
        io.ares.testing.Sessions.evidence((String) m.get("task_id"), "result", Map.of()));
    forged.put("checksum", "0".repeat(64));
    io.ares.testing.Sessions.submit(b, assignmentId, forged);
    Map<String, Object> order = poll(a).stream().filter(o -> "compensation".equals(o.get("type"))).findFirst()
        .orElseThrow();
    as(a).body(Map.of("ok", false, "detail", "already published")).post("/api/v1/assignments/"
        + order.get("assignment_id") + "/compensated").then().statusCode(200);
    assertThat(state(id)).isEqualTo("COMPENSATION_FAILED");
    return id;
  }

  /** The sentence {@link #failedByAChecksumThenARefusal} leads to, as the HTML escapes it. */
  static String checksumSentence(TestAgent a, TestAgent b) {
    return b.id() + "&#39;s evidence was rejected: checksum mismatch → quorum 2 out of reach → "
        + "compensation: " + a.id() + " refused (already published)";
  }

  @Test
  void a_failed_session_opens_with_the_root_cause_sentence() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = failedByAChecksumThenARefusal(a, b);

    String html = ConsoleClient.operator().page("/console/sessions/" + id);
    String sentence = checksumSentence(a, b);
    assertThat(html).contains("id=\"root-cause\"", "What went wrong:");
    assertThat(html.replace("&#x27;", "&#39;")).contains(sentence);
    // the sentence comes before everything else of the live part
    assertThat(html.indexOf("id=\"root-cause\"")).isLessThan(html.indexOf("id=\"machines\""));
  }

  @Test
  void the_timeline_counts_the_sessions_events_from_one_and_labels_the_assignment_times() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    work(a, Map.of());

    String html = ConsoleClient.operator().page("/console/sessions/" + id);
    String timeline = html.substring(html.indexOf("<table class=\"table timeline\">"));
    java.util.regex.Matcher m = Pattern.compile("<td title=\"event seq (\\d+)\">(\\d+)<").matcher(timeline);
    List<Integer> numbers = new java.util.ArrayList<>();
    while (m.find()) {
      numbers.add(Integer.parseInt(m.group(2)));
    }
    assertThat(numbers).isNotEmpty().startsWith(1);
    for (int i = 0; i < numbers.size(); i++) {
      assertThat(numbers.get(i)).isEqualTo(i + 1);
    }
    assertThat(timeline).contains("seq ");
    assertThat(html).contains("<span class=\"tiny muted\">delegated</span>", "<span class=\"tiny muted\">acked</span>");
  }

  @Test
  void focusing_one_assignment_draws_only_its_path() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    var s = aSession().agents(a, b).quorum(1).create();
    String id = s.getString("session_id");
    String first = s.getString("assignments[0].assignment_id");
    String html = ConsoleClient.operator().page("/console/sessions/" + id + "?assignment=" + first);
    assertThat(html).contains("path of assignment", first.substring(0, 8));
    assertThat(html).contains("class=\"focused\" data-assignment=\"" + first + "\"");
  }

  @Test
  void the_live_fragment_is_the_part_without_the_layout() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    ConsoleClient op = ConsoleClient.basic("viewer", "viewer");
    String fragment = op.page("/console/fragments/sessions/" + id);
    assertThat(fragment.trim()).startsWith("<div id=\"session-live\"");
    assertThat(fragment).doesNotContain("<html").contains("id=\"sm-session\"", "Timeline");
  }

  @Test
  void an_expired_console_session_makes_htmx_navigate_to_the_login_page() {
    Response r = given().redirects().follow(false).header("HX-Request", "true").get("/console/fragments/dashboard");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("HX-Redirect")).isEqualTo("/console/login");
  }

  @Test
  void the_list_filters_by_state_and_agent_and_pages_with_links() {
    TestAgent a = anAgent().maxTasks(40).register();
    for (int i = 0; i < 27; i++) {
      aSession().agents(a).create();
    }
    ConsoleClient op = ConsoleClient.operator();
    String page1 = op.page("/console/sessions?agent=" + a.id());
    assertThat(page1).contains("27 session(s)", "page 1 of 2", "href=\"/console/sessions?agent=" + a.id() + "&amp;page=1\"");
    String page2 = op.page("/console/sessions?agent=" + a.id() + "&page=1");
    assertThat(page2).contains("page 2 of 2", "26–27 shown");
    String none = op.page("/console/sessions?agent=" + a.id() + "&state=COMPLETED&since=1h");
    assertThat(none).contains("No session matches these filters.");
    Response bad = op.get("/console/sessions?since=yesterday");
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  void an_unknown_session_is_a_404_page() {
    Response r = ConsoleClient.operator().get("/console/sessions/" + UUID.randomUUID());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.contentType()).startsWith("text/html");
    Response junk = ConsoleClient.operator().get("/console/sessions/not-a-uuid");
    assertThat(junk.statusCode()).isEqualTo(404);
  }
}
