package io.ares.checkpoint;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A copy of a task's state, a link of the task's hash chain. Written once, never changed or removed. */
@Entity
@Table(name = "task_checkpoint")
public class TaskCheckpoint extends PanacheEntityBase {

  @Id
  @Column(name = "checkpoint_id")
  public UUID checkpointId;

  @Column(name = "task_id")
  public String taskId;

  /** 1, 2, 3… per task, in the order taken. */
  public int seq;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> state;

  public String hash;

  @Column(name = "previous_hash")
  public String previousHash;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "created_by")
  public String createdBy;

  public HashChain.Link link() {
    return new HashChain.Link(checkpointId, seq, TaskJson.toNode(state), hash, previousHash);
  }
}
