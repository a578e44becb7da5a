package io.ares.reliability;

import io.ares.agent.AgentStatus;
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

/** One quarantine or release, automatic or by an operator, with its rule and reason. */
@Entity
@Table(name = "enforcement_action")
public class EnforcementAction extends PanacheEntityBase {

  /** What was done to the agent. */
  public enum Action {
    QUARANTINE,
    RELEASE
  }

  /** The rule of an operator's action (automatic ones name an {@link EnforcementPolicy.Rule}). */
  public static final String OPERATOR = "OPERATOR";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @Column(name = "action_id")
  public Long actionId;

  @Column(name = "agent_id")
  public String agentId;

  @Enumerated(EnumType.STRING)
  public Action action;

  /** ENFORCEABLE_INCIDENTS, SCORE_BELOW_THRESHOLD or OPERATOR. */
  public String rule;

  public boolean automatic;

  public String actor;

  public String reason;

  @Enumerated(EnumType.STRING)
  @Column(name = "from_status")
  public AgentStatus fromStatus;

  @Enumerated(EnumType.STRING)
  @Column(name = "to_status")
  public AgentStatus toStatus;

  /** The agent's score when the action was taken. */
  public double score;

  /** The AgentStatusEvent the agent registry wrote for the same change. */
  @Column(name = "status_event_seq")
  public Long statusEventSeq;

  /** For a release: the newest result id at that moment; enforcement counts only results after it. */
  @Column(name = "result_watermark")
  public long resultWatermark;

  public Instant at;
}
