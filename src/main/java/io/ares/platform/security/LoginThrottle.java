package io.ares.platform.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * The rule that slows online password guessing, per key (an account and a client address), with no lockout.
 *
 * <ul>
 *   <li>A key with no failure is checked at once: correct passwords cost nothing, however many arrive together.
 *   <li>After its {@code n}-th consecutive failure, a key's next check waits until {@link #delayAfter(int)} has passed
 *       since that failure: {@code base × 2^(n−1)}, capped at {@code max}. A success resets the key.
 *   <li>Attempts of one key are checked one after another, in arrival order, each at its turn: a hundred parallel
 *       guesses wait behind each other exactly like a hundred sequential ones. At most {@code maxWaiting} wait; more
 *       are refused unchecked (they can only be the same key's own flood).
 *   <li>Other keys are never affected: nothing locks an account, and a correct password is answered as soon as its
 *       key's turn comes.
 *   <li>Memory is bounded: at most {@code maxKeys} keys with failures are remembered (least recently used first
 *       forgotten); a key forgotten starts afresh.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}; waiting is delegated to a {@link Timer} (a Vert.x timer in the
 * application, a hand-driven one in tests), so nothing ever sleeps and the rule is tested without waiting.
 */
public final class LoginThrottle {

  /** Runs an action after a delay, without blocking the caller. */
  public interface Timer {
    void after(Duration delay, Runnable action);
  }

  private static final class Key {
    int failures;
    Instant notBefore = Instant.MIN;
    boolean timerSet;
    final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
  }

  private record Attempt(BooleanSupplier check, CompletableFuture<Boolean> result) {}

  private final Clock clock;
  private final Timer timer;
  private final Duration base;
  private final Duration max;
  private final int maxWaiting;
  private final LinkedHashMap<String, Key> keys;

  public LoginThrottle(Clock clock, Timer timer, Duration base, Duration max, int maxKeys, int maxWaiting) {
    this.clock = clock;
    this.timer = timer;
    this.base = base;
    this.max = max;
    this.maxWaiting = maxWaiting;
    this.keys = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Key> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** The wait after {@code failures} consecutive failures: 0, then base, 2 × base, 4 × base … up to max. */
  public Duration delayAfter(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int shift = Math.min(failures - 1, 30);
    Duration d = base.multipliedBy(1L << shift);
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * Runs {@code check} (a password comparison: quick, in memory) when the key's turn comes and completes with its
   * result; immediately when the key has no failure or its wait has already passed.
   */
  public CompletionStage<Boolean> attempt(String key, BooleanSupplier check) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    List<Runnable> answers = new ArrayList<>();
    synchronized (this) {
      Key k = keys.get(key);
      if (k == null) {
        boolean ok = check.getAsBoolean();
        if (!ok) {
          k = new Key();
          keys.put(key, k);
          failed(k, clock.instant());
        }
        answers.add(() -> result.complete(ok));
      } else if (k.waiting.size() >= maxWaiting) {
        answers.add(() -> result.complete(false));
      } else {
        k.waiting.add(new Attempt(check, result));
        drain(key, k, false, answers);
      }
    }
    answers.forEach(Runnable::run);
    return result;
  }

  /** Consecutive failures remembered for a key (0 when none). */
  public synchronized int failures(String key) {
    Key k = keys.get(key);
    return k == null ? 0 : k.failures;
  }

  /** How long an attempt of this key arriving now would wait for its turn, not counting attempts already waiting. */
  public synchronized Duration waitFor(String key) {
    Key k = keys.get(key);
    if (k == null) {
      return Duration.ZERO;
    }
    Duration d = Duration.between(clock.instant(), k.notBefore);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Keys remembered. */
  public synchronized int size() {
    return keys.size();
  }

  /**
   * Checks the waiting attempts whose turn has come, in order. {@code timerFired}: the timer set for the head's turn
   * went off, so the head goes even if the clock disagrees (a test's frozen clock must not strand it).
   */
  private void drain(String key, Key k, boolean timerFired, List<Runnable> answers) {
    boolean force = timerFired;
    while (!k.waiting.isEmpty()) {
      Instant now = clock.instant();
      if (!force && now.isBefore(k.notBefore)) {
        break;
      }
      force = false;
      Attempt a = k.waiting.poll();
      boolean ok = a.check().getAsBoolean();
      if (ok) {
        k.failures = 0;
        k.notBefore = Instant.MIN;
      } else {
        failed(k, now);
      }
      answers.add(() -> a.result().complete(ok));
    }
    if (k.waiting.isEmpty()) {
      if (k.failures == 0 && keys.get(key) == k) {
        keys.remove(key);
      }
    } else if (!k.timerSet) {
      k.timerSet = true;
      Duration d = Duration.between(clock.instant(), k.notBefore);
      timer.after(d.isNegative() ? Duration.ZERO : d, () -> {
        List<Runnable> later = new ArrayList<>();
        synchronized (this) {
          k.timerSet = false;
          drain(key, k, true, later);
        }
        later.forEach(Runnable::run);
      });
    }
  }

  private void failed(Key k, Instant now) {
    k.failures++;
    k.notBefore = now.plus(delayAfter(k.failures));
  }
}
