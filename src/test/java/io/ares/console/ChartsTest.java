package io.ares.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {

  @Test
  void bars_are_scaled_to_the_busiest_bucket_and_stack_failures_on_top() {
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    var c = Charts.throughput(List.of(new Charts.Bucket(t, 10, 0), new Charts.Bucket(t.plusSeconds(300), 4, 1),
        new Charts.Bucket(t.plusSeconds(600), 0, 0)), 5);
    assertThat(c.max()).isEqualTo(10);
    assertThat(c.completedTotal()).isEqualTo(14);
    assertThat(c.failedTotal()).isEqualTo(1);
    var full = c.bars().get(0);
    var mixed = c.bars().get(1);
    assertThat(full.completedY()).isEqualTo(Charts.PAD_TOP);
    assertThat(mixed.failedY() + mixed.failedH()).isEqualTo(mixed.completedY());
    assertThat(c.bars().get(2).completedH()).isZero();
    assertThat(c.bars().get(2).label()).isEmpty();
    assertThat(mixed.title()).isEqualTo("10:05–10:10 UTC: 4 completed, 1 failed");
  }

  @Test
  void the_score_line_spans_the_plot_and_marks_the_threshold() {
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    var c = Charts.score(List.of(new Charts.Sample(t, 1.0), new Charts.Sample(t.plus(Duration.ofHours(1)), 0.0)), 0.4);
    assertThat(c.points()).isEqualTo(Charts.L_LEFT + "," + Charts.L_TOP + " " + (Charts.LINE_W - Charts.L_RIGHT) + ","
        + (Charts.LINE_H - Charts.L_BOTTOM));
    assertThat(c.thresholdY()).isBetween(c.plotTop(), c.plotBottom());
    assertThat(Charts.score(List.of(), 0.4).empty()).isTrue();
  }

  @Test
  void durations_read_like_a_person_would_say_them() {
    Instant now = Instant.parse("2026-01-01T10:00:00Z");
    assertThat(Fmt.ago(now.minusSeconds(12), now)).isEqualTo("12 s ago");
    assertThat(Fmt.ago(now.plusSeconds(30), now)).isEqualTo("in 30 s");
    assertThat(Fmt.ago(now.minusSeconds(3 * 3600 + 120), now)).isEqualTo("3 h 2 min ago");
    assertThat(Fmt.ago(null, now)).isEqualTo("never");
    assertThat(Fmt.preview("x".repeat(300), 240).cut()).isTrue();
    assertThat(Fmt.url("/console/sessions", "agent", "a b&c")).isEqualTo("/console/sessions?agent=a+b%26c");
  }
}
