package io.ares.platform;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.function.Function;
import org.hibernate.FlushMode;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One transaction per attempt, retried when it lost a race (optimistic lock, serialization failure, deadlock).
 * Each attempt runs on a fresh duplicated Vert.x context, hence in a fresh Hibernate Reactive session, so a retry
 * never sees the entities of the attempt that lost. Entities are flushed once, at commit.
 */
public final class Transactions {

  private Transactions() {}

  public static <T> Uni<T> retrying(Vertx vertx, Supplier<Uni<T>> work) {
    Uni<T> attempt = Uni.createFrom().deferred(() -> SafeContext.run(vertx, () -> Panache.withTransaction(() -> Panache.getSession()
            // Entities are written once, at commit: no flush before each native statement of the use case (those
            // touch other rows or only read), which would rewrite the same rows several times per transaction.
            .invoke(s -> s.setFlushMode(FlushMode.COMMIT))
            .flatMap(s -> work.get()))));
    return retried(attempt);
  }

  /**
   * The same for prepared statements on the reactive pool: one transaction on one connection per attempt, retried
   * on the same terms.
   */
  public static <T> Uni<T> onPool(Pool pool, Function<SqlConnection, Uni<T>> work) {
    return retried(Uni.createFrom().deferred(() -> pool.withTransaction(work)));
  }

  /** Retries one unit of work (a single statement, a transaction) when it lost a race. */
  public static <T> Uni<T> retried(Uni<T> attempt) {
    // Bounded, with jitter (Mutiny's default factor 0.5): a race against the engine's own background writers
    // (verdicts, outcomes, capacity releases, heartbeat revivals) is settled here, not handed to the caller. When
    // the attempts run out the mappers answer 503 BUSY with Retry-After, never 409.
    return attempt.onFailure(Transactions::retryable).retry()
        .withBackOff(Duration.ofMillis(5), Duration.ofMillis(100)).atMost(8)
        .onFailure(Transactions::retryable).transform(Transactions::busy);
  }

  /**
   * The engine lost the same race more often than its retries allow: nothing the caller sent conflicts with the
   * state, so this is 503 BUSY with Retry-After, never a 409 — the caller may send the same request again.
   */
  static ApiException busy(Throwable lastRace) {
    return new ApiException(503, "BUSY", "the engine is busy writing the same rows; send the request again")
        .withHeader("Retry-After", "1");
  }

  /** A lost race: worth another attempt. Client errors never are. */
  public static boolean retryable(Throwable t) {
    if (t instanceof ApiException) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      String n = c.getClass().getSimpleName();
      String m = String.valueOf(c.getMessage());
      if (n.contains("OptimisticLock") || n.contains("StaleObjectState") || n.contains("StaleState")
          || m.contains("40P01") || m.contains("40001") || m.contains("deadlock detected")) {
        return true;
      }
    }
    return false;
  }
}
