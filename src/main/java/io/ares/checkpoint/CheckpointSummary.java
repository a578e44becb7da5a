package io.ares.checkpoint;

import java.time.Instant;
import java.util.UUID;

/** A checkpoint without its state (listing projection: the states stay in the database). */
public record CheckpointSummary(
    UUID checkpointId, String taskId, int seq, String hash, String previousHash, Instant createdAt, String createdBy) {

  public static CheckpointSummary of(TaskCheckpoint c) {
    return new CheckpointSummary(c.checkpointId, c.taskId, c.seq, c.hash, c.previousHash, c.createdAt, c.createdBy);
  }
}
