package io.ares.testing;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;

/**
 * Holds an agent's reliability lock (the transaction-scoped advisory lock every reliability writer takes first) in a
 * transaction of its own until closed: the outcome projector's batches for that agent wait meanwhile.
 */
public final class HeldRecord implements AutoCloseable {

  /** ReliabilityService.ADVISORY_CLASS ('AR'). */
  private static final int ADVISORY_CLASS = 0x4152;

  private final SqlConnection conn;

  private HeldRecord(SqlConnection conn) {
    this.conn = conn;
  }

  public static HeldRecord of(Pool pool, String agentId) {
    SqlConnection conn = pool.getConnection().await().atMost(Duration.ofSeconds(10));
    conn.query("BEGIN").execute().await().atMost(Duration.ofSeconds(10));
    conn.preparedQuery("SELECT pg_advisory_xact_lock($1, hashtext($2))").execute(Tuple.of(ADVISORY_CLASS, agentId))
        .await().atMost(Duration.ofSeconds(10));
    return new HeldRecord(conn);
  }

  @Override
  public void close() {
    try {
      conn.query("ROLLBACK").execute().await().atMost(Duration.ofSeconds(10));
    } finally {
      conn.close().await().atMost(Duration.ofSeconds(10));
    }
  }
}
