package io.ares.delivery;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A message waiting for (or being redelivered to) an agent: the outbox behind long-polls and streams. */
@Entity
@Table(name = "agent_message")
@DynamicUpdate
public class AgentMessage extends PanacheEntityBase {

  public static final String DELEGATION = "task_delegation";
  public static final String COMPENSATION = "compensation";
  public static final String CANCELLATION = "cancellation";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "message_id")
  public Long messageId;

  @Column(name = "agent_id")
  public String agentId;

  @Column(name = "assignment_id")
  public UUID assignmentId;

  @Column(name = "session_id")
  public UUID sessionId;

  public String type;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> payload;

  public boolean open;

  @Column(name = "due_at")
  public Instant dueAt;

  public int deliveries;

  @Column(name = "first_delivered_at")
  public Instant firstDeliveredAt;

  @Column(name = "last_delivered_at")
  public Instant lastDeliveredAt;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "idempotency_key")
  public String idempotencyKey;
}
