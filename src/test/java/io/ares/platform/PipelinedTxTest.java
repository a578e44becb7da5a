package io.ares.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelinedTx}: the work runs inside the transaction BEGIN opened (others do not see its rows before the
 * commit), the COMMIT sent with the last statement commits everything, and a failure — of the last statement itself,
 * or of the work before it — commits nothing and leaves the pooled connection usable.
 */
@QuarkusTest
class PipelinedTxTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String INSERT = "INSERT INTO pipelined_tx_probe (id, tag) VALUES ($1, $2)";

  @Inject Pool pool;

  private String tag;

  @BeforeEach
  void probeTable() {
    pool.query("CREATE TABLE IF NOT EXISTS pipelined_tx_probe (id int, tag text, PRIMARY KEY (id, tag))").execute()
        .await().atMost(WAIT);
    tag = "t" + ThreadLocalRandom.current().nextLong(1L << 40);
  }

  private long rows() {
    return pool.preparedQuery("SELECT count(*) AS n FROM pipelined_tx_probe WHERE tag = $1").execute(Tuple.of(tag))
        .map(r -> r.iterator().next().getLong("n")).await().atMost(WAIT);
  }

  @Test
  void the_work_is_one_transaction_committed_with_its_last_statement() {
    long seenOutside = PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        conn.preparedQuery(INSERT).execute(Tuple.of(1, tag))
            // Another connection does not see the first row yet: the work is inside a transaction, not autocommit.
            .flatMap(x -> pool.preparedQuery("SELECT count(*) AS n FROM pipelined_tx_probe WHERE tag = $1")
                .execute(Tuple.of(tag)).map(r -> r.iterator().next().getLong("n")))
            .call(n -> tx.commitWith(conn.preparedQuery(INSERT).execute(Tuple.of(2, tag)))))
        .await().atMost(WAIT);
    assertThat(seenOutside).isZero();
    assertThat(rows()).isEqualTo(2);
  }

  @Test
  void a_failing_last_statement_takes_the_whole_transaction_with_it() {
    List<String> notices = new CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        listen(conn, notices).preparedQuery(INSERT).execute(Tuple.of(1, tag))
            // The same key again: the statement fails, and the COMMIT sent behind it must not commit the first row.
            .flatMap(x -> tx.commitWith(conn.preparedQuery(INSERT).execute(Tuple.of(1, tag)))))
        .await().atMost(WAIT)).hasMessageContaining("duplicate key");
    assertThat(rows()).isZero();
    // The COMMIT ended the failed transaction: no ROLLBACK behind it ("there is no transaction in progress").
    assertThat(notices).isEmpty();
    connectionsStillUsable();
  }

  @Test
  void a_failure_after_the_commit_keeps_what_was_committed_and_sends_no_rollback() {
    List<String> notices = new CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        tx.commitWith(listen(conn, notices).preparedQuery(INSERT).execute(Tuple.of(1, tag)))
            .flatMap(x -> Uni.createFrom().failure(ApiException.conflict("refused after the commit"))))
        .await().atMost(WAIT)).isInstanceOf(ApiException.class);
    assertThat(rows()).isEqualTo(1);
    assertThat(notices).isEmpty();
    connectionsStillUsable();
  }

  /** Collects the server's notices and warnings on this connection (a ROLLBACK outside a transaction draws one). */
  private static SqlConnection listen(SqlConnection conn, List<String> notices) {
    PgConnection.cast(conn.getDelegate()).noticeHandler(n -> notices.add(n.getSeverity() + " " + n.getMessage()));
    return conn;
  }

  @Test
  void a_last_statement_the_client_refuses_to_send_commits_nothing() {
    assertThatThrownBy(() -> PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        conn.preparedQuery(INSERT).execute(Tuple.of(1, tag))
            // Prepared on this connection by now, so the client checks the parameters before sending: a text where
            // the statement takes an int is refused there, and COMMIT must not follow it (it would save row 1).
            .flatMap(x -> tx.commitWith(conn.preparedQuery(INSERT).execute(Tuple.of("two", tag)))))
        .await().atMost(WAIT)).hasMessageContaining("two");
    assertThat(rows()).isZero();
    connectionsStillUsable();
  }

  @Test
  void a_failure_before_the_last_statement_rolls_back() {
    assertThatThrownBy(() -> PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        conn.preparedQuery(INSERT).execute(Tuple.of(1, tag))
            .flatMap(x -> Uni.createFrom().failure(ApiException.conflict("refused after the first write"))))
        .await().atMost(WAIT)).isInstanceOf(ApiException.class);
    assertThat(rows()).isZero();
    connectionsStillUsable();
  }

  @Test
  void work_that_does_not_commit_itself_is_committed_after_it_and_set_local_holds_inside() {
    String mode = PipelinedTx.run(pool, "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan", (conn, tx) ->
        conn.preparedQuery(INSERT).execute(Tuple.of(1, tag))
            .flatMap(x -> conn.query("SELECT current_setting('plan_cache_mode') AS m").execute())
            .map(r -> r.iterator().next().getString("m")))
        .await().atMost(WAIT);
    assertThat(mode).isEqualTo("force_generic_plan");
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void only_a_transaction_can_be_pipelined() {
    assertThatThrownBy(() -> PipelinedTx.run(pool, "SET plan_cache_mode = force_generic_plan",
        (conn, tx) -> Uni.createFrom().item(1))).isInstanceOf(IllegalArgumentException.class);
  }

  /** More transactions than the pool has connections, each outside any leftover transaction of a failed attempt. */
  private void connectionsStillUsable() {
    long before = rows();
    for (int i = 0; i < 30; i++) {
      int id = 100 + i;
      PipelinedTx.run(pool, "BEGIN", (conn, tx) -> tx.commitWith(conn.preparedQuery(INSERT).execute(Tuple.of(id, tag))))
          .await().atMost(WAIT);
    }
    assertThat(rows()).isEqualTo(before + 30);
  }
}
