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

/** A coordination session. {@link #state} changes only through {@link SessionEngine} and {@link SessionMachine}. */
@Entity
@Table(name = "coordination_session")
@DynamicUpdate
public class CoordinationSession extends PanacheEntityBase {

  @Id
  @Column(name = "session_id")
  public UUID sessionId;

  @Enumerated(EnumType.STRING)
  public SessionState state;

  @Column(name = "coordinator_id")
  public String coordinatorId;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> task;

  public int quorum;

  public int participants;

  public String capability;

  @Column(name = "deadline_at")
  public Instant deadlineAt;

  public String cause;

  @Column(name = "cause_detail")
  public String causeDetail;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "idempotency_key")
  public String idempotencyKey;

  @Column(name = "request_hash")
  public String requestHash;

  @Version public long version;

  /** Participants were chosen by capability (replacements go to other agents) rather than named. */
  public boolean byCapability() {
    return capability != null;
  }
}
