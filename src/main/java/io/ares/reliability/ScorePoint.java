package io.ares.reliability;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The agent's score right after one result. */
@Entity
@Table(name = "reliability_score_point")
public class ScorePoint extends PanacheEntityBase {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "point_id")
  public Long pointId;

  @Column(name = "agent_id")
  public String agentId;

  @Column(name = "result_id")
  public Long resultId;

  public double score;

  public Instant at;
}
