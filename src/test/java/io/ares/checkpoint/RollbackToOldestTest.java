package io.ares.checkpoint;

import static io.ares.testing.Api.operator;
import static io.ares.testing.Tasks.aTaskId;
import static io.ares.testing.Tasks.checkpoint;
import static io.ares.testing.Tasks.path;
import static io.ares.testing.Tasks.withState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.ares.platform.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link CheckpointService#rollbackToOldest}, as the sessions engine calls it from its compensation transaction. */
@QuarkusTest
class RollbackToOldestTest {

  @Inject CheckpointService service;
  @Inject Pool pool;

  private static <T> T inTransaction(Supplier<Uni<T>> work) throws Throwable {
    return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work));
  }

  private long rollbacks(String taskId) {
    return pool.preparedQuery("SELECT count(*) AS n FROM task_rollback WHERE task_id = $1")
        .execute(Tuple.of(taskId)).await().indefinitely().iterator().next().getLong("n");
  }

  private static void putState(String taskId, Map<String, Object> state) {
    operator().body(Map.of("state", state)).put(path(taskId, "state")).then().statusCode(200);
  }

  @Test
  void rollback_to_oldest_restores_the_state_before_the_work_and_names_the_session() throws Throwable {
    String id = withState(Map.of("step", 0));
    String first = checkpoint(id);
    putState(id, Map.of("step", 1));
    checkpoint(id);
    putState(id, Map.of("step", 2));
    String session = UUID.randomUUID().toString();
    Boolean done = inTransaction(() -> service.rollbackToOldest(id, "compensation of session " + session, "engine"));
    assertThat(done).isTrue();
    operator().get(path(id, "state")).then().body("state.step", equalTo(0));
    operator().get(path(id, "rollbacks")).then().statusCode(200)
        .body("total", equalTo(1))
        .body("items[0].checkpoint_id", equalTo(first))
        .body("items[0].reason", equalTo("compensation of session " + session))
        .body("items[0].actor", equalTo("engine"));
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(true)).body("checkpoint_id", equalTo(first));
  }

  @Test
  void rollback_to_oldest_also_opens_its_own_transaction_when_called_alone() throws Throwable {
    String id = withState(Map.of("step", 0));
    checkpoint(id);
    putState(id, Map.of("step", 5));
    assertThat(VertxContextSupport.subscribeAndAwait(() -> service.rollbackToOldest(id, "alone", "engine"))).isTrue();
    operator().get(path(id, "state")).then().body("state.step", equalTo(0));
  }

  @Test
  void a_task_without_checkpoints_is_left_alone() throws Throwable {
    String unknown = aTaskId();
    assertThat(inTransaction(() -> service.rollbackToOldest(unknown, "compensation of session x", "engine"))).isFalse();
    String id = withState(Map.of("step", 3));
    assertThat(inTransaction(() -> service.rollbackToOldest(id, "compensation of session x", "engine"))).isFalse();
    operator().get(path(id, "state")).then().body("state.step", equalTo(3)).body("version", equalTo(0));
    assertThat(rollbacks(id)).isZero();
    operator().get(path(unknown, "state")).then().statusCode(404);
  }

  @Test
  void it_joins_the_callers_transaction_so_a_failing_caller_undoes_the_rollback() throws Throwable {
    String id = withState(Map.of("step", 0));
    checkpoint(id);
    putState(id, Map.of("step", 9));
    assertThatThrownBy(() -> inTransaction(() -> service.rollbackToOldest(id, "compensation", "engine")
            .flatMap(ok -> Uni.createFrom().<Boolean>failure(new IllegalStateException("caller fails later")))))
        .hasMessageContaining("caller fails later");
    operator().get(path(id, "state")).then().body("state.step", equalTo(9));
    assertThat(rollbacks(id)).isZero();
  }

  @Test
  void a_tampered_oldest_checkpoint_fails_with_409_and_the_caller_may_recover() throws Throwable {
    String id = withState(Map.of("step", 0));
    String first = checkpoint(id);
    putState(id, Map.of("step", 4));
    pool.preparedQuery("UPDATE task_checkpoint SET state = '{\"step\": -1}'::jsonb WHERE checkpoint_id = $1")
        .execute(Tuple.of(UUID.fromString(first))).await().indefinitely();
    assertThatThrownBy(() -> inTransaction(() -> service.rollbackToOldest(id, "compensation", "engine")))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("CHECKPOINT_INVALID");
          assertThat((String) e.extensions().get("reason")).startsWith("hash mismatch at checkpoint " + first);
        });
    // Recovering inside the same transaction keeps it usable: nothing was written before the refusal.
    List<Boolean> outcome = inTransaction(() -> service.rollbackToOldest(id, "compensation", "engine")
        .onFailure(ApiException.class).recoverWithItem(false)
        .map(List::of));
    assertThat(outcome).containsExactly(false);
    operator().get(path(id, "state")).then().body("state.step", equalTo(4));
    assertThat(rollbacks(id)).isZero();
  }
}
