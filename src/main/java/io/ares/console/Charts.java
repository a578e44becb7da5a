package io.ares.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small inline SVG charts as geometry for the templates (which draw and escape them). Pure. */
public final class Charts {

  private Charts() {}

  /** One time bucket of the throughput chart. */
  public record Bucket(Instant start, long completed, long failed) {}

  /** A stacked bar: completed at the bottom, failed on top. */
  public record Bar(int x, int w, int completedY, int completedH, int failedY, int failedH, String title,
      int labelX, int labelY, String label) {}

  public record Tick(int x, int y, String text, String anchor) {}

  public record BarChart(int width, int height, int baseline, List<Bar> bars, List<Tick> ticks, long max,
      long completedTotal, long failedTotal, String description) {}

  static final int BAR_W = 360;
  static final int BAR_H = 120;
  static final int PAD_TOP = 16;
  static final int PAD_BOTTOM = 20;
  static final int PAD_X = 6;

  /** Bars for buckets (oldest first); each bar's height is its count over the busiest bucket. */
  public static BarChart throughput(List<Bucket> buckets, int bucketMinutes) {
    long max = 1;
    long completed = 0;
    long failed = 0;
    for (Bucket b : buckets) {
      max = Math.max(max, b.completed() + b.failed());
      completed += b.completed();
      failed += b.failed();
    }
    int n = Math.max(1, buckets.size());
    int plot = BAR_H - PAD_TOP - PAD_BOTTOM;
    int baseline = BAR_H - PAD_BOTTOM;
    double slot = (BAR_W - 2.0 * PAD_X) / n;
    int w = (int) Math.max(4, Math.floor(slot - 4));
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      int x = (int) Math.round(PAD_X + i * slot + (slot - w) / 2);
      int ch = (int) Math.round(plot * (double) b.completed() / max);
      int fh = (int) Math.round(plot * (double) b.failed() / max);
      if (b.completed() > 0 && ch == 0) {
        ch = 1;
      }
      if (b.failed() > 0 && fh == 0) {
        fh = 1;
      }
      int cy = baseline - ch;
      int fy = cy - fh;
      String title = Fmt.clock(b.start()) + "–" + Fmt.clock(b.start().plusSeconds(bucketMinutes * 60L)) + " UTC: "
          + b.completed() + " completed, " + b.failed() + " failed";
      long total = b.completed() + b.failed();
      bars.add(new Bar(x, w, cy, ch, fy, fh, title, x + w / 2, fy - 3, total == 0 ? "" : Long.toString(total)));
    }
    List<Tick> ticks = new ArrayList<>();
    if (!buckets.isEmpty()) {
      ticks.add(new Tick(PAD_X, BAR_H - 5, Fmt.clock(buckets.get(0).start()), "start"));
      ticks.add(new Tick(BAR_W - PAD_X, BAR_H - 5, "now", "end"));
    }
    String description = "Sessions per " + bucketMinutes + " minutes over the last hour: " + completed
        + " completed, " + failed + " failed";
    return new BarChart(BAR_W, BAR_H, baseline, bars, ticks, max, completed, failed, description);
  }

  /** One sample of a score. */
  public record Sample(Instant at, double value) {}

  public record Dot(int x, int y, String title) {}

  public record LineChart(int width, int height, String points, List<Dot> dots, List<Tick> ticks,
      int thresholdY, String thresholdLabel, int plotLeft, int plotRight, int plotTop, int plotBottom,
      boolean empty, String description) {}

  static final int LINE_W = 560;
  static final int LINE_H = 180;
  static final int L_LEFT = 36;
  static final int L_RIGHT = 12;
  static final int L_TOP = 12;
  static final int L_BOTTOM = 24;

  /** A score (0..1) over time, with the quarantine threshold as a dashed line. */
  public static LineChart score(List<Sample> samples, double threshold) {
    int left = L_LEFT;
    int right = LINE_W - L_RIGHT;
    int top = L_TOP;
    int bottom = LINE_H - L_BOTTOM;
    List<Tick> ticks = new ArrayList<>();
    for (double v : new double[] {0, 0.5, 1}) {
      ticks.add(new Tick(left - 6, y(v, top, bottom) + 4, String.format(Locale.ROOT, "%.1f", v), "end"));
    }
    int ty = y(threshold, top, bottom);
    String tl = "quarantine below " + String.format(Locale.ROOT, "%.2f", threshold);
    if (samples.isEmpty()) {
      return new LineChart(LINE_W, LINE_H, "", List.of(), ticks, ty, tl, left, right, top, bottom, true,
          "No score history recorded");
    }
    long t0 = samples.get(0).at().toEpochMilli();
    long t1 = samples.get(samples.size() - 1).at().toEpochMilli();
    long span = Math.max(1, t1 - t0);
    StringBuilder pts = new StringBuilder();
    List<Dot> dots = new ArrayList<>();
    for (Sample s : samples) {
      int x = samples.size() == 1 ? (left + right) / 2
          : (int) Math.round(left + (right - left) * (double) (s.at().toEpochMilli() - t0) / span);
      int y = y(s.value(), top, bottom);
      if (pts.length() > 0) {
        pts.append(' ');
      }
      pts.append(x).append(',').append(y);
      dots.add(new Dot(x, y, Fmt.time(s.at()) + ": " + Fmt.score(s.value())));
    }
    ticks.add(new Tick(left, LINE_H - 6, Fmt.time(samples.get(0).at()), "start"));
    if (samples.size() > 1) {
      ticks.add(new Tick(right, LINE_H - 6, Fmt.time(samples.get(samples.size() - 1).at()), "end"));
    }
    Sample last = samples.get(samples.size() - 1);
    String description = "Reliability score over time, " + samples.size() + " samples, latest "
        + Fmt.score(last.value());
    return new LineChart(LINE_W, LINE_H, pts.toString(), dots.size() > 200 ? List.of() : dots, ticks, ty, tl, left,
        right, top, bottom, false, description);
  }

  private static int y(double v, int top, int bottom) {
    double c = Math.max(0, Math.min(1, v));
    return (int) Math.round(bottom - (bottom - top) * c);
  }
}
