package io.ares.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.platform.security.LoginThrottle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The rule that slows online password guessing, driven by a hand-moved clock and a hand-fired timer: no waiting. */
class LoginThrottleTest {

  static final Duration BASE = Duration.ofMillis(100);
  static final Duration MAX = Duration.ofSeconds(10);

  final MovingClock clock = new MovingClock();
  final ManualTimer timer = new ManualTimer();
  final LoginThrottle throttle = new LoginThrottle(clock, timer, BASE, MAX, 1000, 64);

  @Test
  void the_wait_doubles_from_the_base_after_each_consecutive_failure_up_to_the_cap() {
    assertThat(throttle.delayAfter(0)).isZero();
    assertThat(throttle.delayAfter(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(throttle.delayAfter(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(throttle.delayAfter(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(throttle.delayAfter(7)).isEqualTo(Duration.ofMillis(6400));
    assertThat(throttle.delayAfter(8)).isEqualTo(MAX);
    assertThat(throttle.delayAfter(1000)).isEqualTo(MAX);
  }

  @Test
  void the_nth_consecutive_failure_delays_the_next_attempt_by_the_rules_value() {
    String key = "admin\n10.0.0.1";
    for (int n = 1; n <= 9; n++) {
      CompletableFuture<Boolean> r = attempt(key, false);
      if (n > 1) {
        // it waited for its turn: the timer was asked for exactly the wait after n-1 failures
        assertThat(r).isNotDone();
        assertThat(timer.lastDelay()).isEqualTo(throttle.delayAfter(n - 1));
        clock.advance(timer.lastDelay());
        timer.fire();
      }
      assertThat(r).isCompletedWithValue(false);
      assertThat(throttle.failures(key)).isEqualTo(n);
      assertThat(throttle.waitFor(key)).isEqualTo(throttle.delayAfter(n));
    }
  }

  @Test
  void a_correct_password_is_answered_as_soon_as_the_wait_has_passed_and_resets_the_pair() {
    String key = "admin\n10.0.0.1";
    attempt(key, false);
    clock.advance(Duration.ofMillis(100));
    attempt(key, false);
    // after two failures the pair waits 200 ms; 150 ms later a correct password waits the remaining 50 ms
    clock.advance(Duration.ofMillis(150));
    CompletableFuture<Boolean> right = attempt(key, true);
    assertThat(right).isNotDone();
    assertThat(timer.lastDelay()).isEqualTo(Duration.ofMillis(50));
    clock.advance(Duration.ofMillis(50));
    timer.fire();
    assertThat(right).isCompletedWithValue(true);
    assertThat(throttle.failures(key)).isZero();
    assertThat(throttle.size()).isZero();
    // reset: the next failure waits nothing
    assertThat(attempt(key, false)).isCompletedWithValue(false);
  }

  @Test
  void a_pair_whose_wait_has_passed_is_checked_at_once() {
    String key = "admin\n10.0.0.1";
    attempt(key, false);
    clock.advance(Duration.ofSeconds(1));
    assertThat(attempt(key, true)).isCompletedWithValue(true);
    assertThat(timer.requests).isEmpty();
  }

  @Test
  void parallel_attempts_of_one_pair_queue_behind_each_other() {
    String key = "admin\n10.0.0.1";
    attempt(key, false);
    AtomicInteger checks = new AtomicInteger();
    List<CompletableFuture<Boolean>> parallel = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      parallel.add(throttle.attempt(key, () -> {
        checks.incrementAndGet();
        return false;
      }).toCompletableFuture());
    }
    assertThat(checks).hasValue(0);
    // one at each turn: 100, 200, 400, 800, 1600 ms — as if sent one after another
    Duration total = Duration.ZERO;
    for (int i = 0; i < 5; i++) {
      assertThat(timer.requests).hasSize(i + 1);
      Duration d = timer.lastDelay();
      assertThat(d).isEqualTo(throttle.delayAfter(i + 1));
      total = total.plus(d);
      clock.advance(d);
      timer.fire();
      assertThat(checks).hasValue(i + 1);
      assertThat(parallel.get(i)).isCompletedWithValue(false);
    }
    assertThat(total).isEqualTo(Duration.ofMillis(3100));
    assertThat(parallel).allMatch(CompletableFuture::isDone);
  }

  @Test
  void correct_passwords_of_a_pair_without_failures_never_wait_even_in_parallel() {
    for (int i = 0; i < 100; i++) {
      assertThat(attempt("admin\n10.0.0.1", true)).isCompletedWithValue(true);
    }
    assertThat(timer.requests).isEmpty();
    assertThat(throttle.size()).isZero();
  }

  @Test
  void other_addresses_and_other_accounts_are_never_slowed() {
    for (int i = 0; i < 6; i++) {
      attempt("admin\n10.0.0.1", false);
      clock.advance(throttle.delayAfter(i + 1));
    }
    attempt("admin\n10.0.0.1", false);
    assertThat(throttle.waitFor("admin\n10.0.0.1")).isEqualTo(throttle.delayAfter(7));
    assertThat(attempt("admin\n10.0.0.2", true)).isCompletedWithValue(true);
    assertThat(attempt("viewer\n10.0.0.1", true)).isCompletedWithValue(true);
    assertThat(throttle.waitFor("admin\n10.0.0.2")).isZero();
  }

  @Test
  void memory_is_bounded_least_recently_failed_pairs_are_forgotten() {
    LoginThrottle small = new LoginThrottle(clock, timer, BASE, MAX, 3, 64);
    for (int i = 0; i < 10; i++) {
      small.attempt("admin\n10.0.0." + i, () -> false);
    }
    assertThat(small.size()).isEqualTo(3);
    assertThat(small.failures("admin\n10.0.0.9")).isEqualTo(1);
    assertThat(small.failures("admin\n10.0.0.0")).isZero();
  }

  @Test
  void a_flood_beyond_the_waiting_limit_is_refused_unchecked() {
    LoginThrottle small = new LoginThrottle(clock, timer, BASE, MAX, 10, 2);
    String key = "admin\n10.0.0.1";
    small.attempt(key, () -> false);
    small.attempt(key, () -> false);
    small.attempt(key, () -> false);
    AtomicInteger checked = new AtomicInteger();
    CompletableFuture<Boolean> fourth = small.attempt(key, () -> checked.incrementAndGet() > 0).toCompletableFuture();
    assertThat(fourth).isCompletedWithValue(false);
    assertThat(checked).hasValue(0);
  }

  @Test
  void a_frozen_clock_cannot_strand_a_waiting_attempt() {
    String key = "admin\n10.0.0.1";
    attempt(key, false);
    CompletableFuture<Boolean> next = attempt(key, true);
    timer.fire(); // the timer went off but the clock did not move
    assertThat(next).isCompletedWithValue(true);
  }

  CompletableFuture<Boolean> attempt(String key, boolean ok) {
    return throttle.attempt(key, () -> ok).toCompletableFuture();
  }

  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static final class ManualTimer implements LoginThrottle.Timer {
    record Request(Duration delay, Runnable action) {}

    final List<Request> requests = new ArrayList<>();
    int fired;

    @Override
    public void after(Duration delay, Runnable action) {
      requests.add(new Request(delay, action));
    }

    Duration lastDelay() {
      return requests.get(requests.size() - 1).delay();
    }

    /** Fires the oldest pending request. */
    void fire() {
      requests.get(fired++).action().run();
    }
  }
}
