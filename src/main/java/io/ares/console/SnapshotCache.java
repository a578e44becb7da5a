package io.ares.console;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One value computed in the background and served from memory, stale-while-revalidate, with a single flight:
 *
 * <ul>
 *   <li>no value yet: the caller waits for the first computation;
 *   <li>older than {@code maxAge}: the caller starts one refresh (or finds one running) and gets the value it
 *       found at once;
 *   <li>older than {@code maxAge} + {@link #WAIT_BEYOND} (nobody asked for a while), or stamped in the future
 *       (the clock went back): the caller waits for the refresh, and gets the old value only if it fails;
 *   <li>never more than one computation at a time: concurrent callers join the running one.
 * </ul>
 *
 * <p>The computation receives the previous value (null at first) so that it can be incremental. Non-blocking:
 * callers that wait are resumed on their own Vert.x context, not on the one the computation finished on.
 */
final class SnapshotCache<T> {

  private static final Logger LOG = Logger.getLogger(SnapshotCache.class);

  /**
   * Past max-age plus this, a caller waits for fresh figures instead of being shown figures that old. Short, so that
   * the first page after a pause (an operator signing in) shows figures of now, not "8 s ago": a refresh is one
   * incremental read, and while someone watches, the page's own polling keeps the snapshot younger than this.
   */
  static final Duration WAIT_BEYOND = Duration.ofSeconds(3);

  private final String name;
  private final Clock clock;
  private final Duration maxAge;
  private final Function<T, Instant> asOf;
  private final Function<T, Uni<T>> compute;
  private final Duration timeout;
  private final AtomicReference<T> current = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<T>> running = new AtomicReference<>();

  /**
   * {@code timeout}: a computation that has not answered by then fails (and frees the flight for the next
   * request) instead of freezing the figures until a restart.
   */
  SnapshotCache(String name, Clock clock, Duration maxAge, Duration timeout, Function<T, Instant> asOf,
      Function<T, Uni<T>> compute) {
    this.name = name;
    this.clock = clock;
    this.maxAge = maxAge;
    this.timeout = timeout;
    this.asOf = asOf;
    this.compute = compute;
  }

  /** The value to show now (see the class comment for when this waits). */
  Uni<T> get() {
    T value = current.get();
    if (value == null) {
      return resumeHere(refresh());
    }
    Duration age = Duration.between(asOf.apply(value), clock.instant());
    if (age.isNegative() || age.compareTo(maxAge.plus(WAIT_BEYOND)) > 0) {
      return resumeHere(refresh()).onFailure().recoverWithItem(value);
    }
    if (age.compareTo(maxAge) > 0) {
      refresh();
    }
    return Uni.createFrom().item(value);
  }

  /**
   * A value whose computation started after this call (it waits for a running one first, which may have read
   * the database before the caller's last write). For tests and anyone who needs read-your-writes.
   */
  Uni<T> refreshNow() {
    CompletableFuture<T> before = running.get();
    Uni<Void> settled = before == null ? Uni.createFrom().voidItem()
        : Uni.createFrom().completionStage(before.copy()).onItemOrFailure().transform((v, t) -> null).replaceWithVoid();
    return settled.chain(() -> resumeHere(refresh()));
  }

  /** Starts a computation unless one is running; either way returns the running one. */
  CompletableFuture<T> refresh() {
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> other = running.compareAndExchange(null, mine);
    if (other != null) {
      return other;
    }
    Uni<T> work;
    try {
      work = compute.apply(current.get());
    } catch (RuntimeException e) {
      work = Uni.createFrom().failure(e);
    }
    work.ifNoItem().after(timeout).fail().subscribe().with(v -> {
      current.set(v);
      running.set(null);
      mine.complete(v);
    }, t -> {
      running.set(null);
      LOG.warnf("%s: refresh failed (%s); the figures on show, if any, stay", name, t.toString());
      mine.completeExceptionally(t);
    });
    return mine;
  }

  /** The value on show (null before the first computation). */
  T peek() {
    return current.get();
  }

  /** Whether a computation is running. */
  boolean refreshing() {
    return running.get() != null;
  }

  /**
   * The future's outcome, delivered on the caller's Vert.x context (if it has one): the computation finishes on a
   * context of its own, and a page must not render on another request's context (request-scoped beans such as
   * the CSRF token live there). Each caller gets a copy of the shared future: a cancelled caller (a client that
   * went away) must not cancel it for the others.
   */
  private static <T> Uni<T> resumeHere(CompletableFuture<T> f) {
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    Uni<T> result = Uni.createFrom().completionStage(f.copy());
    return caller == null ? result : result.emitOn(cmd -> caller.runOnContext(x -> cmd.run()));
  }
}
