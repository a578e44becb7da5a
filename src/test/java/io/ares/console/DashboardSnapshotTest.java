package io.ares.console;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.console.DashboardSnapshot.Snapshot;
import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard is served from a snapshot: a completion shows up once a refresh has read it, the refresh is
 * started by the first request that finds the snapshot older than its max age (2 s), and the per-minute
 * throughput kept across refreshes adds up to what one full read of the hour finds.
 */
@QuarkusTest
class DashboardSnapshotTest extends io.ares.testing.AgentsReadTheEngineClock {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Pattern COMPLETED_TILE =
      Pattern.compile("<span class=\"num\">(\\d+)</span><span class=\"key\">COMPLETED</span>");
  static final Pattern COMPLETED_LEGEND = Pattern.compile("</span> (\\d+) completed <span class=\"swatch failed\">");

  @Inject DashboardSnapshot snapshot;

  @Test
  void a_new_completion_appears_once_a_request_found_the_snapshot_stale_and_its_refresh_ran()
      throws InterruptedException {
    // frozen (the snapshot ages only when the test says so), a minute into a chart bucket (so that the chart's hour
    // does not move on during the test)
    clock.set(quietInstant(clock.instant()));
    Snapshot before = snapshot.refreshNow().await().atMost(WAIT);
    ConsoleClient op = ConsoleClient.operator();
    String page = op.page("/console/fragments/dashboard");
    long completed = number(COMPLETED_TILE, page);
    long chart = number(COMPLETED_LEGEND, page);
    assertThat(completed).isEqualTo(before.sessionsByState().getOrDefault("COMPLETED", 0L));
    assertThat(page).contains("As of <time datetime=\"" + Fmt.iso(before.asOf()) + "\">");

    TestAgent a = anAgent().register();
    String done = aSession().agents(a).create().getString("session_id");
    work(a, Map.of());
    assertThat(operator().get("/api/v1/sessions/" + done).then().extract().<String>path("state"))
        .isEqualTo("COMPLETED");

    // still fresh (age 0 s): the page is the snapshot, without the completion
    page = op.page("/console/fragments/dashboard");
    assertThat(number(COMPLETED_TILE, page)).isEqualTo(completed);

    // 3 s later the snapshot is stale: this request starts the refresh and is answered from the old snapshot
    clock.advance(Duration.ofSeconds(3));
    page = op.page("/console/fragments/dashboard");
    assertThat(page).contains("As of <time datetime=\"" + Fmt.iso(before.asOf()) + "\">", "(3 s ago)");

    // the refresh that request started (no other: the clock stays frozen, so the new snapshot stays fresh)
    for (int i = 0; i < 300 && number(COMPLETED_TILE, page) == completed; i++) {
      Thread.sleep(100);
      page = op.page("/console/fragments/dashboard");
    }
    assertThat(number(COMPLETED_TILE, page)).isEqualTo(completed + 1);
    assertThat(number(COMPLETED_LEGEND, page)).isEqualTo(chart + 1);
    assertThat(page).contains("As of <time datetime=\"" + Fmt.iso(clock.instant()) + "\">", "(just now)");
  }

  @Test
  void throughput_kept_across_incremental_refreshes_equals_a_full_read_of_the_hour() {
    // hours ahead: no minute kept by earlier tests' snapshots is in this hour, so the first refresh reads all of it
    clock.set(quietInstant(clock.instant().plus(Duration.ofHours(3))));
    snapshot.refreshNow().await().atMost(WAIT);

    TestAgent a = anAgent().register();
    aSession().agents(a).create();
    work(a, Map.of());
    String failed = aSession().agents(a).create().getString("session_id");
    operator().body(Map.of("reason", "snapshot test")).post("/api/v1/sessions/" + failed + "/cancel")
        .then().statusCode(200);
    clock.advance(Duration.ofSeconds(1));

    Snapshot incremental = snapshot.refreshNow().await().atMost(WAIT);
    Snapshot full = snapshot.compute(null).await().atMost(WAIT); // what a first refresh would read
    assertThat(full.asOf()).isEqualTo(incremental.asOf());
    assertThat(incremental.throughput().buckets(incremental.asOf()))
        .isEqualTo(full.throughput().buckets(full.asOf()));
    assertThat(incremental.throughput().minutes()).isEqualTo(full.throughput().minutes());
    assertThat(incremental.sessionsByState()).isEqualTo(full.sessionsByState());
    long failedInChart = incremental.throughput().buckets(incremental.asOf()).stream()
        .mapToLong(Charts.Bucket::failed).sum();
    assertThat(failedInChart).isPositive();
  }

  /** A minute past the start of the chart bucket holding {@code t}. */
  static Instant quietInstant(Instant t) {
    long bucket = ThroughputWindow.BUCKET_MINUTES * 60L;
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), bucket) * bucket + 60);
  }

  static long number(Pattern p, String html) {
    Matcher m = p.matcher(html);
    assertThat(m.find()).as("%s in the page", p).isTrue();
    return Long.parseLong(m.group(1));
  }
}
