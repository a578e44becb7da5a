package io.ares.testing;

import static io.ares.testing.Api.operator;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/** Test fixtures for task state and checkpoints: ids, paths, assignments made by SQL. */
public final class Tasks {

  private Tasks() {}

  /** A unique client-chosen task id (exercises the `._:-` characters the pattern allows). */
  public static String aTaskId() {
    return "job:" + Api.uniqueId("t") + ".v1_x";
  }

  public static String path(String taskId, String tail) {
    return "/api/v1/tasks/" + taskId + "/" + tail;
  }

  /** Writes a state as the operator and returns the task id. */
  public static String withState(Map<String, Object> state) {
    String id = aTaskId();
    operator().body(Map.of("state", state)).put(path(id, "state")).then().statusCode(200);
    return id;
  }

  /** Takes a checkpoint as the operator; returns its id. */
  public static String checkpoint(String taskId) {
    return operator().post(path(taskId, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
  }

  /**
   * Makes an assignment for {@code agentId} (with its coordination session) directly in the database and
   * returns its server-made task_id (a UUID), as the sessions engine would.
   */
  public static String assignTo(Pool pool, String agentId) {
    String taskId = UUID.randomUUID().toString();
    assignExisting(pool, agentId, taskId);
    return taskId;
  }

  /** Gives an existing client-chosen task id to an assignment of {@code agentId}. */
  public static void assignExisting(Pool pool, String agentId, String taskId) {
    UUID session = UUID.randomUUID();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    pool.preparedQuery(
            "INSERT INTO coordination_session (session_id, state, coordinator_id, task, quorum, participants,"
                + " created_at, updated_at) VALUES ($1, 'IN_PROGRESS', 'operator:admin', $2, 1, 1, $3, $3)")
        .execute(Tuple.of(session, new JsonObject().put("type", "test"), now))
        .await().indefinitely();
    pool.preparedQuery(
            "INSERT INTO assignment (assignment_id, session_id, agent_id, task_id, state, attempt, slot, created_at,"
                + " ack_deadline) VALUES ($1, $2, $3, $4, 'PENDING', 1, 0, $5, $5)")
        .execute(Tuple.of(UUID.randomUUID(), session, agentId, taskId, now))
        .await().indefinitely();
  }
}
