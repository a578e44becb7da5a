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

/** One outcome of an agent's work, as stored. Written once, never changed. */
@Entity
@Table(name = "reliability_result")
public class ReliabilityResult extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "result_id")
  public Long resultId;

  @Column(name = "agent_id")
  public String agentId;

  @Enumerated(EnumType.STRING)
  public OutcomeKind kind;

  public boolean success;

  /** False when covered by another lapse (see {@link ReliabilityService#record(Outcome)}). */
  public boolean counted;

  /** The impact weight of a counted failure, else 0. */
  @Column(name = "failure_weight")
  public double failureWeight;

  @Column(name = "assignment_id")
  public UUID assignmentId;

  @Column(name = "session_id")
  public UUID sessionId;

  @Column(name = "response_time_ms")
  public Long responseTimeMs;

  /** Days since the agent's trend origin; set only when the response time feeds the trend. */
  @Column(name = "t_days")
  public Double tDays;

  @Column(name = "outlier_detail")
  public String outlierDetail;

  @Column(name = "burst_detail")
  public String burstDetail;

  public String detail;

  public Instant at;
}
