package io.ares.platform;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the reactive PostgreSQL pool from the options Quarkus configured, and beside it the delivery lane: a
 * small pool of its own ({@code ares.delivery.pool-size} connections, same server and options) for the long-polls'
 * claims, so that a waiting agent woken by new work is not queued behind the creations, acks and verdicts that fill
 * the main pool under load (in the sessions benchmark at saturation, a transaction waited 77 ms on average for a
 * connection of the main pool).
 *
 * <p>Both keep statements up to
 * {@value #CACHED_SQL_LIMIT} characters are kept prepared per connection. Vert.x caches only statements shorter than
 * 2,048 characters by default, and the hot paths' statements (the claim, the evidence write, the creation) are a few
 * kilobytes of common table expressions: PostgreSQL parsed and planned each of them on every call, which was about a
 * quarter of its CPU in the sessions benchmark (perf, BENCHMARKS.md).
 */
@Singleton
public class PoolTuning implements PgPoolCreator {

  static final int CACHED_SQL_LIMIT = 16_384;
  /** The delivery lane's name in the pool metrics ({@code sql_pool_*{pool_name="ares-delivery"}}). */
  public static final String DELIVERY_LANE = "ares-delivery";

  @Inject AresConfig config;

  private volatile io.vertx.mutiny.sqlclient.Pool deliveryLane;

  @Override
  public Pool create(Input input) {
    List<PgConnectOptions> options = input.pgConnectOptionsList();
    options.forEach(o -> o.setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT));
    int lane = config.delivery().poolSize();
    if (lane > 0) {
      PoolOptions laneOptions = new PoolOptions(input.poolOptions()).setMaxSize(lane).setName(DELIVERY_LANE);
      deliveryLane = io.vertx.mutiny.sqlclient.Pool.newInstance(build(input, laneOptions, options));
    }
    return build(input, input.poolOptions(), options);
  }

  /** The pool the long-polls' claims run on: the delivery lane, or {@code main} when there is none (yet). */
  public io.vertx.mutiny.sqlclient.Pool deliveryLane(io.vertx.mutiny.sqlclient.Pool main) {
    io.vertx.mutiny.sqlclient.Pool lane = deliveryLane;
    return lane != null ? lane : main;
  }

  void close(@Observes ShutdownEvent event) {
    io.vertx.mutiny.sqlclient.Pool lane = deliveryLane;
    if (lane != null) {
      deliveryLane = null;
      lane.closeAndForget();
    }
  }

  private static Pool build(Input input, PoolOptions poolOptions, List<PgConnectOptions> options) {
    var builder = PgBuilder.pool().with(poolOptions).using(input.vertx());
    if (options.size() == 1) {
      return builder.connectingTo(options.get(0)).build();
    }
    // Several hosts: round robin, as Quarkus's own pool does.
    AtomicInteger next = new AtomicInteger();
    return builder.connectingTo(() -> Future.succeededFuture(
        options.get(Math.floorMod(next.getAndIncrement(), options.size())))).build();
  }
}
