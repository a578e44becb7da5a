package io.ares.console;

import static io.ares.console.ThroughputWindow.minuteOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.console.ThroughputWindow.Counts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-minute throughput of the dashboard: what a refresh reads, what it keeps, what it drops. */
class ThroughputWindowTest {

  static final Instant T = Instant.parse("2026-03-01T10:42:17Z");
  static final long M = minuteOf(T);

  @Test
  void the_first_refresh_reads_the_whole_hour_shown_from_a_bucket_boundary() {
    long from = ThroughputWindow.EMPTY.readFrom(T);
    // 12 buckets of 5 minutes ending with the one holding 10:42: the first starts at 09:45
    assertThat(ThroughputWindow.startOf(from)).isEqualTo(Instant.parse("2026-03-01T09:45:00Z"));
    List<Charts.Bucket> buckets = ThroughputWindow.EMPTY.merge(T, from, Map.of()).buckets(T);
    assertThat(buckets).hasSize(12);
    assertThat(buckets.get(11).start()).isEqualTo(Instant.parse("2026-03-01T10:40:00Z"));
    assertThat(buckets).allMatch(b -> b.completed() == 0 && b.failed() == 0);
  }

  @Test
  void later_refreshes_read_only_the_unsettled_minutes_and_keep_the_settled_ones() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M - 30, new Counts(7, 1), M - 2, new Counts(3, 0), M - 1, new Counts(2, 0), M, new Counts(1, 0)));

    Instant t2 = T.plusSeconds(2);
    long from = w.readFrom(t2);
    assertThat(from).isEqualTo(M - 2); // ~2-3 minutes, not the hour
    // the re-read finds a late commit in minute M-1 and a new completion in minute M; minute M-2 is read again too
    ThroughputWindow w2 = w.merge(t2, from, Map.of(M - 2, new Counts(3, 0), M - 1, new Counts(4, 0),
        M, new Counts(2, 1)));
    assertThat(w2.minutes()).containsEntry(M - 30, new Counts(7, 1)) // kept, not read again
        .containsEntry(M - 1, new Counts(4, 0)).containsEntry(M, new Counts(2, 1));
    assertThat(total(w2.buckets(t2))).isEqualTo(new Counts(7 + 3 + 4 + 2, 2));
  }

  @Test
  void a_minute_that_disappears_from_the_re_read_is_dropped_not_kept() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M, new Counts(1, 0)));
    // e.g. a row of minute M was rolled back: the re-read is the truth for every minute it covers
    ThroughputWindow w2 = w.merge(T.plusSeconds(5), w.readFrom(T.plusSeconds(5)), Map.of());
    assertThat(w2.minutes()).doesNotContainKey(M);
  }

  @Test
  void after_a_pause_the_refresh_reads_from_the_last_settled_minute_so_that_nothing_is_skipped() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M - 10, new Counts(5, 0)));
    Instant later = T.plus(Duration.ofMinutes(12));
    assertThat(w.readFrom(later)).isEqualTo(M - 2);
    assertThatThrownBy(() -> w.merge(later, M + 5, Map.of())).isInstanceOf(IllegalArgumentException.class);
    ThroughputWindow w2 = w.merge(later, M - 2, Map.of(M + 4, new Counts(1, 0)));
    assertThat(w2.minutes()).containsOnlyKeys(M - 10, M + 4);
  }

  @Test
  void minutes_that_leave_the_hour_are_dropped() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M - 50, new Counts(9, 0), M - 20, new Counts(4, 0)));
    Instant later = T.plus(Duration.ofMinutes(20));
    ThroughputWindow w2 = w.merge(later, w.readFrom(later), Map.of());
    assertThat(w2.minutes()).containsOnlyKeys(M - 20);
    assertThat(total(w2.buckets(later))).isEqualTo(new Counts(4, 0));

    Instant muchLater = T.plus(Duration.ofMinutes(90));
    // nothing kept is still in the hour: the whole hour is read again
    assertThat(w2.readFrom(muchLater)).isEqualTo(ThroughputWindow.firstMinuteShown(muchLater));
    assertThat(w2.merge(muchLater, w2.readFrom(muchLater), Map.of()).minutes()).isEmpty();
  }

  @Test
  void the_chart_as_of_an_instant_shows_only_its_hour() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M - 58, new Counts(1, 0), M - 57, new Counts(1, 0), M - 5, new Counts(2, 0), M + 3, new Counts(8, 0)));
    List<Charts.Bucket> buckets = w.buckets(T);
    // 09:44 is before the first bucket (09:45); 10:45 (a replica whose clock runs ahead) is after the last one
    assertThat(total(buckets)).isEqualTo(new Counts(2 + 1, 0));
    assertThat(buckets.get(0)).isEqualTo(new Charts.Bucket(Instant.parse("2026-03-01T09:45:00Z"), 1, 0));
    // 10:37 lands in the 10:35 bucket
    assertThat(buckets.get(10)).isEqualTo(new Charts.Bucket(Instant.parse("2026-03-01T10:35:00Z"), 2, 0));
  }

  @Test
  void a_clock_that_went_back_makes_the_refresh_read_the_whole_hour() {
    ThroughputWindow w = ThroughputWindow.EMPTY.merge(T, ThroughputWindow.EMPTY.readFrom(T),
        Map.of(M - 1, new Counts(1, 0)));
    Instant earlier = T.minus(Duration.ofMinutes(3));
    assertThat(w.readFrom(earlier)).isEqualTo(ThroughputWindow.firstMinuteShown(earlier));
  }

  static Counts total(List<Charts.Bucket> buckets) {
    return buckets.stream().map(b -> new Counts(b.completed(), b.failed())).reduce(Counts.ZERO, Counts::plus);
  }
}
