package io.ares.checkpoint.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.checkpoint.CheckpointSummary;
import io.ares.checkpoint.HashChain;
import io.ares.checkpoint.TaskCheckpoint;
import io.ares.checkpoint.TaskJson;
import io.ares.checkpoint.TaskRollback;
import io.ares.checkpoint.TaskSchemas.SchemaError;
import io.ares.checkpoint.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The task endpoints' bodies and answers (snake_case on the wire). */
public final class TaskViews {

  private TaskViews() {}

  /** {@code PUT /tasks/{task_id}/state}. The state must be a JSON object. */
  public record StateBody(JsonNode state) {}

  /** {@code PUT /tasks/{task_id}/schema}. A JSON Schema (draft 2020-12) object. */
  public record SchemaBody(JsonNode schema) {}

  /** {@code POST /tasks/{task_id}/rollback}: checkpoint_id optional (default: the newest), reason optional. */
  public record RollbackBody(String checkpointId, String reason) {}

  public record StateView(
      String taskId, Map<String, Object> state, String hash, Instant updatedAt, String updatedBy, long version) {

    static StateView of(TaskState t) {
      return new StateView(
          t.taskId, t.state, HashChain.hashOf(TaskJson.toNode(t.state)), t.updatedAt, t.updatedBy, t.version);
    }
  }

  /**
   * A task's validator. {@code current_state_valid} is null when the task has no state yet, else whether
   * the current state satisfies the schema ({@code current_state_errors} lists why not).
   */
  public record SchemaView(
      String taskId,
      Map<String, Object> schema,
      Boolean currentStateValid,
      List<SchemaError> currentStateErrors,
      Instant updatedAt) {

    static SchemaView of(TaskState t, List<SchemaError> errors) {
      return new SchemaView(
          t.taskId, t.schema, t.state == null ? null : errors.isEmpty(), t.state == null ? null : errors, t.updatedAt);
    }
  }

  public record CheckpointView(
      UUID checkpointId, String taskId, int seq, String hash, String previousHash, Instant createdAt, String createdBy) {

    static CheckpointView of(CheckpointSummary c) {
      return new CheckpointView(c.checkpointId(), c.taskId(), c.seq(), c.hash(), c.previousHash(), c.createdAt(), c.createdBy());
    }
  }

  /** A checkpoint with the state it holds. */
  public record CheckpointDetail(
      UUID checkpointId,
      String taskId,
      int seq,
      String hash,
      String previousHash,
      Instant createdAt,
      String createdBy,
      Map<String, Object> state) {

    static CheckpointDetail of(TaskCheckpoint c) {
      return new CheckpointDetail(c.checkpointId, c.taskId, c.seq, c.hash, c.previousHash, c.createdAt, c.createdBy, c.state);
    }
  }

  public record RollbackView(
      UUID rollbackId, String taskId, UUID checkpointId, String hash, Instant rolledBackAt, String reason, String actor) {

    static RollbackView of(TaskRollback r) {
      return new RollbackView(r.rollbackId, r.taskId, r.checkpointId, r.hash, r.rolledBackAt, r.reason, r.actor);
    }
  }
}
