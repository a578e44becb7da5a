package io.ares.reliability;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A bad result, classified by {@link IncidentClassifier}. */
@Entity
@Table(name = "incident")
public class Incident extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "incident_id")
  public Long incidentId;

  @Column(name = "result_id")
  public Long resultId;

  @Column(name = "agent_id")
  public String agentId;

  public String code;

  @Enumerated(EnumType.STRING)
  public Impact impact;

  public boolean enforceable;

  @Column(name = "assignment_id")
  public UUID assignmentId;

  @Column(name = "session_id")
  public UUID sessionId;

  public Instant at;

  public String detail;
}
