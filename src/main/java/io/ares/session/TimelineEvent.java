package io.ares.session;

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
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One transition of a session or an assignment, appended in the transition's own transaction. */
@Entity
@Table(name = "session_event")
public class TimelineEvent extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long seq;

  @Column(name = "session_id")
  public UUID sessionId;

  /** {@code session} or {@code assignment}. */
  public String entity;

  @Column(name = "entity_id")
  public UUID entityId;

  @Column(name = "from_state")
  public String fromState;

  @Column(name = "to_state")
  public String toState;

  public String cause;

  public String actor;

  public Instant at;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> detail;
}
