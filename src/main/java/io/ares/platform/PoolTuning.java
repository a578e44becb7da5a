package io.ares.platform;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the reactive PostgreSQL pool from the options Quarkus configured, with one change: statements up to
 * {@value #CACHED_SQL_LIMIT} characters are kept prepared per connection. Vert.x caches only statements shorter than
 * 2,048 characters by default, and the hot paths' statements (the claim, the evidence write, the creation) are a few
 * kilobytes of common table expressions: PostgreSQL parsed and planned each of them on every call, which was about a
 * quarter of its CPU in the sessions benchmark (perf, BENCHMARKS.md).
 *
 * <p>It also builds the smaller pools that other parts of the application keep apart from the shared one
 * ({@link #separatePool}), with the same connect options.
 */
@Singleton
public class PoolTuning implements PgPoolCreator {

  static final int CACHED_SQL_LIMIT = 16_384;

  private volatile List<PgConnectOptions> options;
  private volatile Vertx vertx;

  @Override
  public Pool create(Input input) {
    List<PgConnectOptions> options = input.pgConnectOptionsList();
    options.forEach(o -> o.setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT));
    this.options = options;
    this.vertx = input.vertx();
    return build(input.poolOptions());
  }

  /**
   * A pool of its own, with the shared pool's connect options (called after the shared pool exists: inject it first).
   * The caller closes it.
   */
  public Pool separatePool(String name, int maxSize) {
    if (options == null) {
      throw new IllegalStateException("the shared pool is not created yet");
    }
    return build(new PoolOptions().setName(name).setMaxSize(maxSize));
  }

  private Pool build(PoolOptions poolOptions) {
    var builder = PgBuilder.pool().with(poolOptions).using(vertx);
    if (options.size() == 1) {
      return builder.connectingTo(options.get(0)).build();
    }
    // Several hosts: round robin, as Quarkus's own pool does.
    AtomicInteger next = new AtomicInteger();
    return builder.connectingTo(() -> Future.succeededFuture(
        options.get(Math.floorMod(next.getAndIncrement(), options.size())))).build();
  }
}
