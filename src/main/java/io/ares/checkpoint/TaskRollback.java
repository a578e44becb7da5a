package io.ares.checkpoint;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One rollback of a task: the checkpoint restored, why and by whom. Never changed or removed. */
@Entity
@Table(name = "task_rollback")
public class TaskRollback extends PanacheEntityBase {

  @Id
  @Column(name = "rollback_id")
  public UUID rollbackId;

  @Column(name = "task_id")
  public String taskId;

  /** 1, 2, 3… per task, in the order the rollbacks happened. */
  public int seq;

  @Column(name = "checkpoint_id")
  public UUID checkpointId;

  /** The hash of the restored checkpoint. */
  public String hash;

  public String reason;

  public String actor;

  @Column(name = "rolled_back_at")
  public Instant rolledBackAt;
}
