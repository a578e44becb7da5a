package io.ares.checkpoint;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A task's current state and validator. Only {@link CheckpointService} writes it, under optimistic locking. */
@Entity
@Table(name = "task_state")
public class TaskState extends PanacheEntityBase {

  @Id
  @Column(name = "task_id")
  public String taskId;

  /** The first agent that wrote the task; an assignment with this task_id takes precedence (see TaskAccess). */
  @Column(name = "owner_agent_id")
  public String ownerAgentId;

  /** Whether an operator wrote the task first: agents may then only read it (see TaskAccess). */
  @Column(name = "operator_owned")
  public boolean operatorOwned;

  /** The current state (a JSON object); null while only a schema was set. */
  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> state;

  /** The validator (a JSON Schema, draft 2020-12), or null. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "json_schema")
  public Map<String, Object> schema;

  @Column(name = "checkpoint_count")
  public int checkpointCount;

  @Column(name = "rollback_count")
  public int rollbackCount;

  /** The latest checkpoint event: the newest checkpoint taken or the one last restored. */
  @Column(name = "event_checkpoint_id")
  public UUID eventCheckpointId;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  @Column(name = "updated_by")
  public String updatedBy;

  @Version public long version;
}
