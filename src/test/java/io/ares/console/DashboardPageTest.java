package io.ares.console;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard: counts linking to filtered lists, failures two clicks from a failing session, throughput. */
@QuarkusTest
class DashboardPageTest extends io.ares.testing.AgentsReadTheEngineClock {

  @Inject DashboardSnapshot snapshot;

  @Test
  void every_count_links_to_its_filtered_list_and_failures_link_to_the_session() {
    TestAgent a = anAgent().register();
    String done = aSession().agents(a).create().getString("session_id");
    work(a, Map.of());
    String failed = aSession().agents(a).create().getString("session_id");
    operator().body(Map.of("reason", "dashboard test")).post("/api/v1/sessions/" + failed + "/cancel")
        .then().statusCode(200);

    snapshot.refreshNow().await().atMost(java.time.Duration.ofSeconds(30)); // read-your-writes, as sweepNow()
    ConsoleClient op = ConsoleClient.operator();
    String html = op.page("/console");
    for (String s : new String[] {"INITIALIZING", "IN_PROGRESS", "COMPLETED", "COMPENSATING", "ROLLED_BACK",
        "COMPENSATION_FAILED"}) {
      assertThat(html).contains("href=\"/console/sessions?state=" + s + "\"");
    }
    for (String s : new String[] {"ACTIVE", "UNRESPONSIVE", "QUARANTINED", "DEREGISTERED"}) {
      assertThat(html).contains("href=\"/console/agents?status=" + s + "\"");
    }
    assertThat(html).contains("Recent failures", "href=\"/console/sessions/" + failed + "\"", "CANCELLED");
    assertThat(html).contains("<svg class=\"chart bars\"", "completed", "hx-get=\"/console/fragments/dashboard\"",
        "As of <time datetime=");

    // second click: the filtered list holds the failing session
    String list = op.page("/console/sessions?state=ROLLED_BACK");
    assertThat(list).contains("href=\"/console/sessions/" + failed + "\"").doesNotContain(done);
  }

  @Test
  void recent_failures_lead_with_the_root_cause_and_show_a_cancel_as_a_cancel() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String failed = SessionPagesTest.failedByAChecksumThenARefusal(a, b);
    TestAgent c = anAgent().register();
    String cancelled = aSession().agents(c).create().getString("session_id");
    operator().body(Map.of("reason", "customer withdrew")).post("/api/v1/sessions/" + cancelled + "/cancel")
        .then().statusCode(200);

    snapshot.refreshNow().await().atMost(java.time.Duration.ofSeconds(30));
    String html = ConsoleClient.operator().page("/console").replace("&#x27;", "&#39;");
    String failedRow = row(html, failed);
    assertThat(failedRow).contains("data-kind=\"failure\"", SessionPagesTest.checksumSentence(a, b));
    String cancelRow = row(html, cancelled);
    assertThat(cancelRow).contains("data-kind=\"cancel\"", "CANCELLED", "cancelled by ", "customer withdrew")
        .doesNotContain("data-kind=\"failure\"");
  }

  /** The dashboard table row that links to this session. */
  static String row(String html, String sessionId) {
    int at = html.indexOf("href=\"/console/sessions/" + sessionId + "\"");
    assertThat(at).as("row of " + sessionId).isPositive();
    return html.substring(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at));
  }

  @Test
  void the_live_fragment_carries_the_counters_only() {
    String fragment = ConsoleClient.operator().page("/console/fragments/dashboard");
    assertThat(fragment.trim()).startsWith("<div id=\"dashboard-live\"");
    assertThat(fragment).doesNotContain("<html").contains("Sessions by state", "Throughput");
  }
}
