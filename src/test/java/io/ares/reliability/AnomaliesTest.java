package io.ares.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Response-time outliers by median absolute deviation, and failure bursts (docs/reliability.md examples). */
class AnomaliesTest {

  private static final long[] STEADY = {1000, 1020, 980, 1010, 990, 1005, 995, 1000, 1015, 985};
  private static final long[] NOISY = {800, 1200, 900, 1100, 1000, 700, 1300, 1000, 950, 1050};
  private static final long MIN = 60_000;

  @Test
  void median_and_mad_of_the_steady_baseline() {
    assertThat(Anomalies.median(STEADY)).isEqualTo(1000.0);
    assertThat(Anomalies.mad(STEADY)).isEqualTo(10.0);
    assertThat(Anomalies.median(new long[] {5, 1, 3})).isEqualTo(3.0);
  }

  @Test
  void a_steady_agent_is_judged_against_ten_percent_of_its_median() {
    // 1.4826 x 10 = 14.8 < 10% of 1000: the scale is 100 ms.
    Anomalies.OutlierCheck slow = Anomalies.checkOutlier(STEADY, 1400);
    assertThat(slow.scale()).isEqualTo(100.0);
    assertThat(slow.z()).isCloseTo(4.0, within(1e-9));
    assertThat(slow.outlier()).isTrue();
    assertThat(slow.detail(1400)).contains("1400 ms is far above").contains("median 1000 ms");
    assertThat(Anomalies.checkOutlier(STEADY, 1300).outlier()).isFalse();
    assertThat(Anomalies.checkOutlier(STEADY, 600).outlier()).isTrue();
  }

  @Test
  void a_noisy_agent_is_judged_by_its_own_spread() {
    assertThat(Anomalies.mad(NOISY)).isEqualTo(100.0);
    Anomalies.OutlierCheck c = Anomalies.checkOutlier(NOISY, 1400);
    assertThat(c.scale()).isCloseTo(148.26, within(1e-9));
    assertThat(c.z()).isCloseTo(2.698, within(1e-3));
    assertThat(c.outlier()).isFalse();
    assertThat(Anomalies.checkOutlier(NOISY, 1600).z()).isCloseTo(4.047, within(1e-3));
    assertThat(Anomalies.checkOutlier(NOISY, 1600).outlier()).isTrue();
  }

  @Test
  void outliers_are_not_judged_before_eight_baseline_values() {
    assertThat(Anomalies.checkOutlier(new long[] {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 99_999)).isNull();
    assertThat(Anomalies.checkOutlier(new long[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 99_999).outlier()).isTrue();
  }

  @Test
  void the_baseline_keeps_the_newest_fifty_values() {
    long[] b = new long[0];
    for (int i = 1; i <= 60; i++) {
      b = Anomalies.pushBaseline(b, i);
    }
    assertThat(b).hasSize(50);
    assertThat(b[0]).isEqualTo(11);
    assertThat(b[49]).isEqualTo(60);
  }

  @Test
  void three_failures_in_a_row_within_ten_minutes_are_a_burst_flagged_once() {
    Anomalies.Run run = Anomalies.Run.empty();
    Anomalies.BurstStep s1 = Anomalies.nextRun(run, true, 0);
    Anomalies.BurstStep s2 = Anomalies.nextRun(s1.run(), true, 4 * MIN);
    Anomalies.BurstStep s3 = Anomalies.nextRun(s2.run(), true, 9 * MIN);
    assertThat(s1.burst()).isFalse();
    assertThat(s2.burst()).isFalse();
    assertThat(s3.burst()).isTrue();
    assertThat(s3.detail()).isEqualTo("3 failures in a row within 540 s");
    Anomalies.BurstStep s4 = Anomalies.nextRun(s3.run(), true, 10 * MIN);
    assertThat(s4.burst()).isFalse();
  }

  @Test
  void a_success_ends_the_run_and_slow_failures_are_no_burst() {
    Anomalies.BurstStep s = Anomalies.nextRun(Anomalies.Run.empty(), true, 0);
    s = Anomalies.nextRun(s.run(), true, MIN);
    s = Anomalies.nextRun(s.run(), false, 2 * MIN);
    s = Anomalies.nextRun(s.run(), true, 3 * MIN);
    assertThat(s.burst()).isFalse();
    // Three in a row, but 11 minutes from first to last.
    Anomalies.BurstStep t = Anomalies.nextRun(Anomalies.Run.empty(), true, 0);
    t = Anomalies.nextRun(t.run(), true, 6 * MIN);
    t = Anomalies.nextRun(t.run(), true, 11 * MIN);
    assertThat(t.burst()).isFalse();
    // ...yet the next one makes the newest three fall within ten minutes.
    t = Anomalies.nextRun(t.run(), true, 12 * MIN);
    assertThat(t.burst()).isTrue();
  }
}
