package io.ares.platform;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the reactive PostgreSQL pool from the options Quarkus configured, with one change: statements up to
 * {@value #CACHED_SQL_LIMIT} characters are kept prepared per connection. Vert.x caches only statements shorter than
 * 2,048 characters by default, and the hot paths' statements (the claim, the evidence write, the creation) are a few
 * kilobytes of common table expressions: PostgreSQL parsed and planned each of them on every call, which was about a
 * quarter of its CPU in the sessions benchmark (perf, BENCHMARKS.md).
 */
@Singleton
public class PoolTuning implements PgPoolCreator {

  static final int CACHED_SQL_LIMIT = 16_384;

  @Override
  public Pool create(Input input) {
    List<PgConnectOptions> options = input.pgConnectOptionsList();
    options.forEach(o -> o.setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT));
    var builder = PgBuilder.pool().with(input.poolOptions()).using(input.vertx());
    if (options.size() == 1) {
      return builder.connectingTo(options.get(0)).build();
    }
    // Several hosts: round robin, as Quarkus's own pool does.
    AtomicInteger next = new AtomicInteger();
    return builder.connectingTo(() -> Future.succeededFuture(
        options.get(Math.floorMod(next.getAndIncrement(), options.size())))).build();
  }
}
