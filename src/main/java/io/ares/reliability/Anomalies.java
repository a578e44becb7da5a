package io.ares.reliability;

import java.util.Arrays;

/**
 * Anomaly rules (docs/reliability.md, "Anomalies"). Pure.
 *
 * <ul>
 *   <li>Response-time outlier: robust z = |rt − median| / max(1.4826 · MAD, 10% of the median, 1 ms) over
 *       the agent's last {@link #BASELINE_SIZE} response times; an outlier when z &gt; {@link #OUTLIER_Z}
 *       and the baseline holds at least {@link #BASELINE_MIN} values.
 *   <li>Failure burst: {@link #BURST_COUNT} failures in a row (no success between them) within
 *       {@link #BURST_SPAN_MS}; flagged once per run of failures.
 * </ul>
 */
public final class Anomalies {

  /** Response times kept as the agent's own baseline. */
  public static final int BASELINE_SIZE = 50;
  /** Baseline values needed before outliers are judged. */
  public static final int BASELINE_MIN = 8;
  /** Robust z-score above which a response time is an outlier (Iglewicz and Hoaglin). */
  public static final double OUTLIER_Z = 3.5;
  /** MAD to standard deviation of a normal distribution. */
  public static final double MAD_SCALE = 1.4826;
  /** The scale never drops below this share of the median (a perfectly steady agent is not flagged for noise). */
  public static final double MIN_RELATIVE_SCALE = 0.10;
  /** Failures in a row that form a burst. */
  public static final int BURST_COUNT = 3;
  /** ... within this span, first to last (10 minutes). */
  public static final long BURST_SPAN_MS = 10 * 60 * 1000L;

  private Anomalies() {}

  public static double median(long[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("median of nothing");
    }
    long[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2.0;
  }

  /** Median absolute deviation from the median. */
  public static double mad(long[] values) {
    double med = median(values);
    double[] dev = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      dev[i] = Math.abs(values[i] - med);
    }
    Arrays.sort(dev);
    int m = dev.length / 2;
    return dev.length % 2 == 1 ? dev[m] : (dev[m - 1] + dev[m]) / 2.0;
  }

  /** The verdict on one response time against the baseline (before it joins the baseline). */
  public record OutlierCheck(boolean outlier, double median, double mad, double scale, double z) {

    public String detail(long rt) {
      return String.format(java.util.Locale.ROOT,
          "response time %d ms is %s the baseline (median %.0f ms, MAD %.0f ms, robust z %.1f > %.1f)",
          rt, rt > median ? "far above" : "far below", median, mad, z, OUTLIER_Z);
    }
  }

  /** Null when the baseline is too short to judge. */
  public static OutlierCheck checkOutlier(long[] baseline, long rt) {
    if (baseline == null || baseline.length < BASELINE_MIN) {
      return null;
    }
    double med = median(baseline);
    double mad = mad(baseline);
    double scale = Math.max(Math.max(MAD_SCALE * mad, MIN_RELATIVE_SCALE * med), 1.0);
    double z = Math.abs(rt - med) / scale;
    return new OutlierCheck(z > OUTLIER_Z, med, mad, scale, z);
  }

  /** The baseline with {@code rt} appended, keeping the newest {@link #BASELINE_SIZE}. */
  public static long[] pushBaseline(long[] baseline, long rt) {
    long[] b = baseline == null ? new long[0] : baseline;
    int keep = Math.min(b.length, BASELINE_SIZE - 1);
    long[] out = new long[keep + 1];
    System.arraycopy(b, b.length - keep, out, 0, keep);
    out[keep] = rt;
    return out;
  }

  /** The state of the current run of failures: the times (epoch ms) of its newest failures, and whether it was flagged. */
  public record Run(long[] failureTimes, boolean flagged) {
    public static Run empty() {
      return new Run(new long[0], false);
    }
  }

  /** The next run state and whether this result made the run a burst. */
  public record BurstStep(Run run, boolean burst, String detail) {}

  /** Feeds one counted result (a success ends the run). */
  public static BurstStep nextRun(Run run, boolean failure, long atMs) {
    if (!failure) {
      return new BurstStep(Run.empty(), false, null);
    }
    Run r = run == null ? Run.empty() : run;
    long[] t = r.failureTimes() == null ? new long[0] : r.failureTimes();
    int keep = Math.min(t.length, BURST_COUNT - 1);
    long[] next = new long[keep + 1];
    System.arraycopy(t, t.length - keep, next, 0, keep);
    next[keep] = atMs;
    boolean burst = !r.flagged() && next.length == BURST_COUNT && atMs - next[0] <= BURST_SPAN_MS;
    String detail = burst
        ? String.format(java.util.Locale.ROOT, "%d failures in a row within %d s", BURST_COUNT, (atMs - next[0]) / 1000)
        : null;
    return new BurstStep(new Run(next, r.flagged() || burst), burst, detail);
  }
}
