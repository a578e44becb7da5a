package io.ares.session;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One participant's share of a session's task. {@link #state} changes only through {@link SessionEngine}. */
@Entity
@Table(name = "assignment")
@DynamicUpdate
public class Assignment extends PanacheEntityBase {

  @Id
  @Column(name = "assignment_id")
  public UUID assignmentId;

  @Column(name = "session_id")
  public UUID sessionId;

  @Column(name = "agent_id")
  public String agentId;

  @Column(name = "task_id")
  public String taskId;

  @Enumerated(EnumType.STRING)
  public AssignmentState state;

  public int attempt;

  /** The participant slot this assignment fills (replacements keep the slot). */
  public int slot;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "delegated_at")
  public Instant delegatedAt;

  @Column(name = "acked_at")
  public Instant ackedAt;

  @Column(name = "submitted_at")
  public Instant submittedAt;

  @Column(name = "validated_at")
  public Instant validatedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "ack_deadline")
  public Instant ackDeadline;

  @Column(name = "completion_deadline")
  public Instant completionDeadline;

  /** Order of validation within the engine (compensations run in reverse of it). */
  @Column(name = "validation_seq")
  public Long validationSeq;

  @Column(name = "evidence_hash")
  public String evidenceHash;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> evidence;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> verdict;

  @Column(name = "failure_code")
  public String failureCode;

  @Column(name = "failure_message")
  public String failureMessage;

  /** When a replacement for this unsuccessful assignment is due (null: none due). */
  @Column(name = "retry_due_at")
  public Instant retryDueAt;

  @Column(name = "replaced_by")
  public UUID replacedBy;

  @Column(name = "compensation_key")
  public String compensationKey;

  @Column(name = "compensation_rounds")
  public int compensationRounds;

  /** A failed compensation waiting to be re-issued after an operator retry. */
  @Column(name = "compensation_pending")
  public boolean compensationPending;

  @Column(name = "compensation_detail")
  public String compensationDetail;

  @Column(name = "compensated_at")
  public Instant compensatedAt;

  @Version public long version;

  /** The deadline the agent is currently held to: the ack deadline until acked, then the completion deadline. */
  public Instant currentDeadline() {
    return state == AssignmentState.ACKNOWLEDGED || completionDeadline != null && ackedAt != null
        ? completionDeadline
        : ackDeadline;
  }
}
