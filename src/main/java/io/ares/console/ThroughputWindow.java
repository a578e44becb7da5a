package io.ares.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The dashboard's throughput over the last hour, kept as counts per minute so that a refresh re-reads only the
 * last few minutes of the event log. Immutable and pure: {@link #readFrom} says where the next read must start,
 * {@link #merge} folds its result in and drops what left the hour.
 *
 * <p>A minute is <em>settled</em> once it ended {@link #SETTLE} before a refresh started: its counts are kept
 * from then on and never read again. Younger minutes are read again by every refresh, so an event committed late
 * (a transaction still open when its minute was read, another replica's clock running a little behind) is still
 * counted if it commits within {@code SETTLE} of its timestamp. Each refresh reads the database, so every
 * replica counts every replica's sessions.
 */
final class ThroughputWindow {

  static final int BUCKET_MINUTES = 5;
  static final int BUCKETS = 12;
  static final Duration SETTLE = Duration.ofMinutes(2);
  private static final long SETTLE_MINUTES = SETTLE.toMinutes();

  /** Sessions completed and failed in one minute (or one bucket). */
  record Counts(long completed, long failed) {
    static final Counts ZERO = new Counts(0, 0);

    Counts plus(Counts o) {
      return new Counts(completed + o.completed, failed + o.failed);
    }
  }

  /** Nothing read yet: the first refresh reads the whole hour. */
  static final ThroughputWindow EMPTY = new ThroughputWindow(null, Long.MAX_VALUE, Long.MIN_VALUE, new TreeMap<>());

  private final Instant readAt;
  private final long firstMinute;
  private final long settledBefore;
  private final NavigableMap<Long, Counts> minutes;

  private ThroughputWindow(Instant readAt, long firstMinute, long settledBefore, NavigableMap<Long, Counts> minutes) {
    this.readAt = readAt;
    this.firstMinute = firstMinute;
    this.settledBefore = settledBefore;
    this.minutes = Collections.unmodifiableNavigableMap(minutes);
  }

  static long minuteOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 60L);
  }

  static Instant startOf(long minute) {
    return Instant.ofEpochSecond(minute * 60L);
  }

  /** The first minute the chart at {@code now} shows: the start of the bucket that began 55 minutes before. */
  static long firstMinuteShown(Instant now) {
    long bucketSeconds = BUCKET_MINUTES * 60L;
    long firstBucket = Math.floorDiv(now.getEpochSecond() - bucketSeconds * (BUCKETS - 1), bucketSeconds);
    return firstBucket * BUCKET_MINUTES;
  }

  /**
   * The first minute a refresh starting at {@code now} must read: the first unsettled minute, or the whole hour
   * when nothing usable is kept (first refresh, the clock went back, or the kept minutes left the hour).
   */
  long readFrom(Instant now) {
    long needed = firstMinuteShown(now);
    if (readAt == null || now.isBefore(readAt) || firstMinute > needed) {
      return needed;
    }
    return Math.max(needed, settledBefore);
  }

  /**
   * The window after a refresh that started at {@code now} and read every minute from {@code readFrom} on
   * ({@code fresh}: the counts of those minutes that had any): kept settled minutes before {@code readFrom}, the
   * fresh ones from it, nothing older than the hour shown at {@code now}.
   */
  ThroughputWindow merge(Instant now, long readFrom, Map<Long, Counts> fresh) {
    long needed = firstMinuteShown(now);
    if (readFrom < needed || readFrom > readFrom(now)) {
      throw new IllegalArgumentException("read from minute " + readFrom + " leaves a gap before " + readFrom(now));
    }
    TreeMap<Long, Counts> out = new TreeMap<>(minutes.subMap(needed, true, readFrom, false));
    fresh.forEach((minute, counts) -> {
      if (minute >= readFrom && (counts.completed() > 0 || counts.failed() > 0)) {
        out.put(minute, counts);
      }
    });
    return new ThroughputWindow(now, needed, minuteOf(now) - SETTLE_MINUTES, out);
  }

  /** The chart as of {@code asOf}: {@link #BUCKETS} buckets of {@link #BUCKET_MINUTES} minutes, oldest first. */
  List<Charts.Bucket> buckets(Instant asOf) {
    long first = firstMinuteShown(asOf);
    List<Charts.Bucket> out = new ArrayList<>(BUCKETS);
    for (int i = 0; i < BUCKETS; i++) {
      long from = first + (long) i * BUCKET_MINUTES;
      Counts sum = Counts.ZERO;
      for (Counts c : minutes.subMap(from, true, from + BUCKET_MINUTES, false).values()) {
        sum = sum.plus(c);
      }
      out.add(new Charts.Bucket(startOf(from), sum.completed(), sum.failed()));
    }
    return out;
  }

  /** The kept minutes (for tests and diagnostics). */
  NavigableMap<Long, Counts> minutes() {
    return minutes;
  }
}
