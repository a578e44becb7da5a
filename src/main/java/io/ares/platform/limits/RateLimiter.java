package io.ares.platform.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Token buckets keyed by a string (an agent id, a client address…): each key may spend {@code capacity} tokens at
 * once and gets them back continuously at {@code capacity} per {@code period}. A call costs 1 token, or what the
 * caller says (bytes, for instance). Pure Java, time from the injected {@link Clock} (tests move it instead of
 * sleeping), safe for concurrent callers, never blocks: a refusal says how long to wait instead.
 *
 * <p>Memory is bounded: at most {@code maxKeys} buckets are kept. When a new key would exceed that, the buckets that
 * have refilled completely are forgotten first (they hold nothing a fresh bucket would not); if that is not enough,
 * the least recently used ones are forgotten too (which forgives their debt), down to three quarters of {@code
 * maxKeys}. So {@code maxKeys} should exceed the number of keys active within one period.
 *
 * <p>The buckets live in this instance's memory: with several replicas each enforces its own, so a client spread
 * over {@code n} replicas may spend up to {@code n} times the capacity.
 */
public final class RateLimiter {

  /** What a call may do. */
  public record Decision(boolean allowed, Duration retryAfter, boolean exceedsCapacity) {

    static final Decision ALLOWED = new Decision(true, Duration.ZERO, false);

    static Decision waitFor(Duration d) {
      return new Decision(false, d, false);
    }

    static Decision never() {
      return new Decision(false, null, true);
    }

    /** {@code Retry-After} in whole seconds, rounded up, at least 1 (0 when allowed). */
    public long retryAfterSeconds() {
      if (allowed) {
        return 0;
      }
      if (retryAfter == null) {
        return 0;
      }
      long s = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
      return Math.max(1, s);
    }
  }

  /** Buckets kept when nothing else is said. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  private final long capacity;
  private final long periodNanos;
  private final Clock clock;
  private final int maxKeys;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final ReentrantLock pruning = new ReentrantLock();

  /**
   * @param capacity tokens a key may spend at once, refilled continuously over {@code period}; 0 or less: no limit
   * @param period the time in which an empty bucket refills completely
   * @param maxKeys buckets kept at most (see the class comment)
   */
  public RateLimiter(long capacity, Duration period, Clock clock, int maxKeys) {
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("period must be positive");
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be positive");
    }
    this.capacity = capacity;
    this.periodNanos = period.toNanos();
    this.clock = clock;
    this.maxKeys = maxKeys;
  }

  /** {@code perMinute} tokens per key per minute ({@link #DEFAULT_MAX_KEYS} keys); 0 or less: no limit. */
  public static RateLimiter perMinute(long perMinute, Clock clock) {
    return new RateLimiter(perMinute, Duration.ofMinutes(1), clock, DEFAULT_MAX_KEYS);
  }

  /** Whether this limiter limits anything (a capacity of 0 or less turns it off). */
  public boolean enabled() {
    return capacity > 0;
  }

  public long capacity() {
    return capacity;
  }

  /** Spends one token of {@code key}. */
  public Decision tryAcquire(String key) {
    return tryAcquire(key, 1);
  }

  /**
   * Spends {@code cost} tokens of {@code key} when it has them; otherwise spends nothing and says how long until it
   * will have them ({@link Decision#exceedsCapacity()} when it never will: the cost is more than the capacity).
   */
  public Decision tryAcquire(String key, long cost) {
    if (!enabled() || cost <= 0) {
      return Decision.ALLOWED;
    }
    if (cost > capacity) {
      return Decision.never();
    }
    long now = nanos(clock.instant());
    if (!buckets.containsKey(key) && buckets.size() >= maxKeys) {
      prune(now);
    }
    Decision[] out = new Decision[1];
    buckets.compute(key, (k, b) -> {
      Bucket bucket = b == null ? new Bucket(capacity, now) : b;
      bucket.refill(now, capacity, periodNanos);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        out[0] = Decision.ALLOWED;
      } else {
        double missing = cost - bucket.tokens;
        long wait = (long) Math.ceil(missing * periodNanos / capacity);
        out[0] = Decision.waitFor(Duration.ofNanos(Math.max(1, wait)));
      }
      return bucket;
    });
    return out[0];
  }

  /** Gives back tokens spent by a call that a later check refused (never above the capacity). */
  public void refund(String key, long cost) {
    if (!enabled() || cost <= 0) {
      return;
    }
    buckets.computeIfPresent(key, (k, b) -> {
      b.tokens = Math.min(capacity, b.tokens + cost);
      return b;
    });
  }

  /** Buckets currently kept (for tests and metrics). */
  public int size() {
    return buckets.size();
  }

  private void prune(long now) {
    if (!pruning.tryLock()) {
      return; // another caller is pruning; a few keys over the bound for a moment are harmless
    }
    try {
      buckets.entrySet().removeIf(e -> e.getValue().fullAt(now, capacity, periodNanos));
      int target = Math.max(0, maxKeys * 3 / 4);
      if (buckets.size() >= maxKeys) {
        buckets.entrySet().stream()
            .sorted(Comparator.comparingLong(e -> e.getValue().lastSeen))
            .limit(Math.max(0, buckets.size() - target))
            .map(Map.Entry::getKey)
            .toList()
            .forEach(buckets::remove);
      }
    } finally {
      pruning.unlock();
    }
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** One key's tokens; touched only inside {@link ConcurrentHashMap#compute}. */
  private static final class Bucket {
    double tokens;
    long lastRefill;
    volatile long lastSeen;

    Bucket(long capacity, long now) {
      this.tokens = capacity;
      this.lastRefill = now;
      this.lastSeen = now;
    }

    void refill(long now, long capacity, long periodNanos) {
      long elapsed = now - lastRefill;
      if (elapsed > 0) {
        tokens = Math.min(capacity, tokens + (double) elapsed * capacity / periodNanos);
        lastRefill = now;
      }
      // A clock that went back (a test resetting it) refills nothing and keeps the later instant.
      lastSeen = Math.max(lastSeen, now);
    }

    boolean fullAt(long now, long capacity, long periodNanos) {
      long elapsed = Math.max(0, now - lastRefill);
      return tokens + (double) elapsed * capacity / periodNanos >= capacity;
    }
  }
}
