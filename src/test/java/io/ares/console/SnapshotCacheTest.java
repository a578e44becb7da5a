package io.ares.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.SettableClock;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stale-while-revalidate with a single flight, driven by a settable clock and computations finished by hand. */
class SnapshotCacheTest {

  record Value(Instant asOf, int n, Value previous) {}

  static final Duration MAX_AGE = Duration.ofSeconds(2);

  final SettableClock clock = new SettableClock();
  final List<CompletableFuture<Value>> computations = new ArrayList<>();
  final List<Value> previousSeen = new ArrayList<>();
  SnapshotCache<Value> cache;

  @BeforeEach
  void setUp() {
    clock.set(Instant.parse("2026-03-01T10:00:00Z"));
    cache = new SnapshotCache<>("test", clock, MAX_AGE, Duration.ofSeconds(30), Value::asOf, previous -> {
      previousSeen.add(previous);
      CompletableFuture<Value> f = new CompletableFuture<>();
      computations.add(f);
      return Uni.createFrom().completionStage(f);
    });
  }

  /** Finishes the running computation as read at the current time. */
  Value finish() {
    CompletableFuture<Value> f = computations.get(computations.size() - 1);
    Value v = new Value(clock.instant(), computations.size(), previousSeen.get(previousSeen.size() - 1));
    f.complete(v);
    return v;
  }

  UniAssertSubscriber<Value> get() {
    return cache.get().subscribe().withSubscriber(UniAssertSubscriber.create());
  }

  @Test
  void the_first_requests_wait_for_one_computation() {
    UniAssertSubscriber<Value> a = get();
    UniAssertSubscriber<Value> b = get();
    assertThat(computations).hasSize(1);
    a.assertNotTerminated();
    b.assertNotTerminated();
    Value v = finish();
    a.assertItem(v);
    b.assertItem(v);
    assertThat(previousSeen).containsExactly((Value) null);
  }

  @Test
  void a_fresh_snapshot_is_served_without_computing() {
    get();
    Value v = finish();
    clock.advance(MAX_AGE);
    get().assertItem(v);
    assertThat(computations).hasSize(1);
  }

  @Test
  void a_stale_snapshot_is_served_at_once_and_refreshed_once_in_the_background() {
    get();
    Value first = finish();
    clock.advance(MAX_AGE.plusMillis(1));

    get().assertItem(first); // not waiting
    get().assertItem(first);
    get().assertItem(first);
    assertThat(computations).hasSize(2); // single flight: three stale requests, one refresh
    assertThat(cache.refreshing()).isTrue();

    Value second = finish();
    assertThat(cache.refreshing()).isFalse();
    assertThat(second.previous()).isSameAs(first); // the refresh builds on the previous snapshot
    get().assertItem(second);
    assertThat(computations).hasSize(2);
  }

  @Test
  void a_failed_background_refresh_keeps_the_old_snapshot_and_the_next_request_tries_again() {
    get();
    Value first = finish();
    clock.advance(Duration.ofSeconds(3));
    get().assertItem(first);
    computations.get(1).completeExceptionally(new IllegalStateException("database down"));
    assertThat(cache.refreshing()).isFalse();
    get().assertItem(first);
    assertThat(computations).hasSize(3);
  }

  @Test
  void a_snapshot_nobody_asked_for_in_a_long_time_is_recomputed_before_answering() {
    get();
    Value first = finish();
    clock.advance(MAX_AGE.plus(SnapshotCache.WAIT_BEYOND).plusSeconds(1));
    UniAssertSubscriber<Value> waiting = get();
    waiting.assertNotTerminated();
    Value second = finish();
    waiting.assertItem(second);
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void when_that_recomputation_fails_the_old_snapshot_is_shown_with_its_time() {
    get();
    Value first = finish();
    clock.advance(Duration.ofMinutes(10));
    UniAssertSubscriber<Value> waiting = get();
    computations.get(1).completeExceptionally(new IllegalStateException("database down"));
    waiting.assertItem(first);
  }

  @Test
  void a_clock_that_went_back_makes_the_request_wait_for_a_new_snapshot() {
    get();
    finish();
    clock.advance(Duration.ofSeconds(-30));
    UniAssertSubscriber<Value> waiting = get();
    waiting.assertNotTerminated();
    Value second = finish();
    waiting.assertItem(second);
  }

  @Test
  void the_first_request_fails_when_the_first_computation_fails() {
    UniAssertSubscriber<Value> a = get();
    computations.get(0).completeExceptionally(new IllegalStateException("database down"));
    a.assertFailedWith(IllegalStateException.class, "database down");
    UniAssertSubscriber<Value> b = get(); // and the next request tries again
    assertThat(computations).hasSize(2);
    b.assertNotTerminated();
  }

  @Test
  void refresh_now_waits_for_a_running_refresh_and_then_reads_again() {
    get();
    Value first = finish();
    clock.advance(Duration.ofSeconds(3));
    get().assertItem(first); // starts refresh #2, which may have read before the caller's last write
    UniAssertSubscriber<Value> now = cache.refreshNow().subscribe().withSubscriber(UniAssertSubscriber.create());
    assertThat(computations).hasSize(2);
    finish(); // #2 done: refreshNow starts #3
    now.assertNotTerminated();
    assertThat(computations).hasSize(3);
    Value third = finish();
    now.assertItem(third);
  }

  @Test
  void a_waiting_request_that_is_cancelled_does_not_cancel_the_others() {
    UniAssertSubscriber<Value> gone = get();
    UniAssertSubscriber<Value> staying = get();
    gone.cancel();
    Value v = finish();
    staying.assertItem(v);
    assertThat(cache.peek()).isEqualTo(v);
  }

  @Test
  void a_computation_that_never_answers_times_out_and_frees_the_flight() {
    SnapshotCache<Value> hanging = new SnapshotCache<>("test", clock, MAX_AGE, Duration.ofMillis(50), Value::asOf,
        previous -> Uni.createFrom().nothing());
    UniAssertSubscriber<Value> first = hanging.get().subscribe().withSubscriber(UniAssertSubscriber.create());
    first.awaitFailure(Duration.ofSeconds(5)).assertFailedWith(io.smallrye.mutiny.TimeoutException.class);
    assertThat(hanging.refreshing()).isFalse();
  }
}
