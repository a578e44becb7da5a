package io.ares.platform;

import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.function.BiFunction;

/**
 * One transaction on one pooled connection in as few round trips as the work allows: {@code BEGIN} (with any
 * {@code SET LOCAL}) is sent together with the work's first statements, and {@link #commitWith} sends {@code COMMIT}
 * together with the work's last one. The hot paths' transactions thus take two round trips instead of four, and hold
 * their row locks for one round trip less.
 *
 * <p>Ordering is the connection's: the Vert.x client sends the commands of a connection in the order they are
 * subscribed, and PostgreSQL runs them in that order. A failed statement makes PostgreSQL answer the pipelined
 * {@code COMMIT} with a rollback, so nothing of a failed attempt is ever committed. The {@code COMMIT} ends the
 * transaction either way, so a failure after it was sent needs nothing more (and whatever the next borrower of the
 * connection sends runs after it). A failure before it (the work failed, or never reached {@link #commitWith}) is
 * followed by an explicit {@code ROLLBACK} before the connection goes back to the pool. Work that ends without
 * calling {@link #commitWith} (a read-only branch) is committed after it. Retried like {@link Transactions#onPool}.
 */
public final class PipelinedTx {

  /**
   * Opens a transaction whose prepared statements run on their generic plan. PostgreSQL decides per connection and
   * per statement whether to re-plan a prepared statement with each call's values; for the big CTE statements of the
   * hot paths it sometimes kept doing so (1.2 ms of planning per call for the claim, 0.4 ms for the evidence read)
   * though the generic plan is the same index walk. Not set for the whole pool: statements whose best plan depends on
   * the values (the participant choice, the heartbeat batch) need their custom plans.
   */
  public static final String BEGIN_GENERIC_PLANS = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

  private final SqlConnection conn;
  private boolean committed;

  private PipelinedTx(SqlConnection conn) {
    this.conn = conn;
  }

  /**
   * Runs {@code work} in a transaction that {@code begin} opens ({@code "BEGIN"}, or {@code "BEGIN; SET LOCAL …"} as
   * one simple query).
   */
  public static <T> Uni<T> run(Pool pool, String begin, BiFunction<SqlConnection, PipelinedTx, Uni<T>> work) {
    if (!begin.regionMatches(true, 0, "BEGIN", 0, 5)) {
      throw new IllegalArgumentException("a pipelined transaction starts with BEGIN: " + begin);
    }
    return Transactions.retried(Uni.createFrom().deferred(() -> pool.withConnection(conn -> {
      PipelinedTx tx = new PipelinedTx(conn);
      // Subscribed in this order, so BEGIN is on the wire before the work's first statement.
      return Uni.combine().all().unis(conn.query(begin).execute(), Uni.createFrom().deferred(() -> work.apply(conn, tx)))
          .asTuple()
          .flatMap(both -> {
            if (tx.committed) {
              return Uni.createFrom().item(both.getItem2());
            }
            tx.committed = true; // this COMMIT ends the transaction whatever its answer
            return conn.query("COMMIT").execute().replaceWith(both.getItem2());
          })
          // Once COMMIT was sent the transaction is over (PostgreSQL answers it with a rollback after a failed
          // statement); a ROLLBACK then would only draw the server's "there is no transaction in progress" warning.
          .onFailure(e -> !tx.committed).call(e -> conn.query("ROLLBACK").execute().onFailure().recoverWithNull());
    })));
  }

  /**
   * The work's last statement with COMMIT right behind it; its rows once both are answered. This Uni fails only once
   * both are answered too (with the statement's failure, or the COMMIT's own: a deferred check, a lost connection).
   *
   * <p>A statement the client refuses before sending it (parameters it cannot encode) fails at once, while it is
   * subscribed: COMMIT is then not sent, and {@link #run} rolls the transaction back. The client can also refuse the
   * parameters only once the server has prepared the statement, when COMMIT is already queued behind it; that is a
   * defect of the calling code (every hot-path statement casts its parameters and is given values of those types)
   * which would commit the work's earlier statements.
   */
  public Uni<RowSet<Row>> commitWith(Uni<RowSet<Row>> last) {
    boolean[] refused = {false};
    Uni<RowSet<Row>> statement = last.onFailure().invoke(e -> refused[0] = true);
    // Marked when COMMIT is put on the wire (subscribed right after the statement), not when it is asked for.
    Uni<RowSet<Row>> commit = Uni.createFrom().deferred(() -> {
      if (refused[0]) {
        return Uni.createFrom().failure(new IllegalStateException("not committed: the last statement was refused"));
      }
      committed = true;
      return conn.query("COMMIT").execute();
    });
    return Uni.combine().all().unis(statement, commit).collectFailures().asTuple()
        .onFailure(CompositeException.class).transform(e -> ((CompositeException) e).getCauses().get(0))
        .map(both -> both.getItem1());
  }
}
