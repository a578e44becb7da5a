package io.ares.agent;

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

/** One change of an agent's status (the enforcement history is read from these). */
@Entity
@Table(name = "agent_status_event")
public class AgentStatusEvent extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long seq;

  @Column(name = "agent_id")
  public String agentId;

  @Enumerated(EnumType.STRING)
  @Column(name = "from_status")
  public AgentStatus fromStatus;

  @Enumerated(EnumType.STRING)
  @Column(name = "to_status")
  public AgentStatus toStatus;

  public String cause;

  public String actor;

  public String reason;

  public Instant at;
}
