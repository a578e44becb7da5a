package io.ares.platform.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.platform.ApiException;
import io.ares.platform.limits.RateLimiter.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The keyed token buckets, with a hand-moved clock. */
class RateLimiterTest {

  /** A clock the test moves. */
  static final class Manual extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  final Manual clock = new Manual();

  @Test
  void a_key_spends_its_capacity_at_once_then_waits_for_the_refill() {
    RateLimiter limiter = RateLimiter.perMinute(60, clock);
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire("a").allowed()).as("call %d", i).isTrue();
    }
    Decision refused = limiter.tryAcquire("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.exceedsCapacity()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    clock.advance(Duration.ofMillis(999));
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    // A full minute refills the whole bucket, never more.
    clock.advance(Duration.ofMinutes(5));
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    }
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
  }

  @Test
  void keys_are_independent() {
    RateLimiter limiter = RateLimiter.perMinute(2, clock);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
    assertThat(limiter.tryAcquire("b").allowed()).isTrue();
  }

  @Test
  void a_cost_counts_bytes_and_the_wait_is_for_what_is_missing() {
    RateLimiter limiter = RateLimiter.perMinute(1_000, clock);
    assertThat(limiter.tryAcquire("a", 900).allowed()).isTrue();
    Decision refused = limiter.tryAcquire("a", 400);
    assertThat(refused.allowed()).isFalse();
    // 300 missing at 1000 per minute: 18 s. Nothing was spent by the refusal.
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(18));
    assertThat(limiter.tryAcquire("a", 100).allowed()).isTrue();
    assertThat(limiter.tryAcquire("a", 1).allowed()).isFalse();
  }

  @Test
  void a_cost_larger_than_the_capacity_can_never_be_paid() {
    RateLimiter limiter = RateLimiter.perMinute(100, clock);
    Decision d = limiter.tryAcquire("a", 101);
    assertThat(d.allowed()).isFalse();
    assertThat(d.exceedsCapacity()).isTrue();
    assertThat(limiter.tryAcquire("a", 100).allowed()).as("nothing was spent").isTrue();
  }

  @Test
  void a_refund_gives_back_what_a_later_check_refused_but_never_above_the_capacity() {
    RateLimiter limiter = RateLimiter.perMinute(3, clock);
    limiter.tryAcquire("a", 3);
    limiter.refund("a", 2);
    assertThat(limiter.tryAcquire("a", 2).allowed()).isTrue();
    limiter.refund("a", 50);
    assertThat(limiter.tryAcquire("a", 3).allowed()).isTrue();
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
  }

  @Test
  void a_capacity_of_zero_limits_nothing() {
    RateLimiter limiter = RateLimiter.perMinute(0, clock);
    assertThat(limiter.enabled()).isFalse();
    for (int i = 0; i < 1_000; i++) {
      assertThat(limiter.tryAcquire("a", 1_000_000).allowed()).isTrue();
    }
    assertThat(limiter.size()).isZero();
  }

  @Test
  void a_clock_that_goes_back_refills_nothing() {
    RateLimiter limiter = RateLimiter.perMinute(1, clock);
    assertThat(limiter.tryAcquire("a").allowed()).isTrue();
    clock.advance(Duration.ofHours(-1));
    assertThat(limiter.tryAcquire("a").allowed()).isFalse();
  }

  @Test
  void memory_is_bounded_full_buckets_are_forgotten_first_then_the_least_recently_used() {
    RateLimiter limiter = new RateLimiter(1, Duration.ofMinutes(1), clock, 100);
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire("idle-" + i);
    }
    clock.advance(Duration.ofMinutes(1)); // every bucket refilled: they hold nothing worth keeping
    limiter.tryAcquire("new");
    assertThat(limiter.size()).isEqualTo(1);
    for (int i = 0; i < 99; i++) {
      limiter.tryAcquire("busy-" + i);
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(limiter.size()).isEqualTo(100);
    limiter.tryAcquire("one-more");
    assertThat(limiter.size()).isLessThanOrEqualTo(76);
    // The most recent keys are kept (still limited); the oldest were forgotten.
    assertThat(limiter.tryAcquire("busy-98").allowed()).isFalse();
    assertThat(limiter.tryAcquire("new").allowed()).isTrue();
  }

  @Test
  void a_refusal_becomes_a_429_problem_with_retry_after_in_whole_seconds_rounded_up() {
    ApiException e = ApiException.rateLimited("too many", Duration.ofMillis(1_200));
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.code()).isEqualTo("RATE_LIMITED");
    assertThat(e.headers()).containsEntry("Retry-After", "2");
    assertThat(e.extensions()).containsEntry("retry_after_seconds", 2L);
    assertThat(ApiException.rateLimited("x", Duration.ofNanos(1)).headers()).containsEntry("Retry-After", "1");
    assertThat(ApiException.rateLimited("x", Duration.ofSeconds(3)).headers()).containsEntry("Retry-After", "3");
  }
}
