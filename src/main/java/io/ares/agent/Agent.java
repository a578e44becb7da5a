package io.ares.agent;

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
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A registered agent. Only {@link AgentService} changes {@link #status}, through {@link AgentStatusMachine}.
 * Updates write only the changed columns: the lease columns belong to {@link HeartbeatWriter}'s raw SQL,
 * which does not bump the version, and a full-row update from an older snapshot would put them back.
 */
@Entity
@DynamicUpdate
@Table(name = "agent")
public class Agent extends PanacheEntityBase {

  /** A new agent's score: the mean of the reliability prior (see README, "Reliability score"). */
  public static final double INITIAL_SCORE = 0.75;

  @Id
  @Column(name = "agent_id")
  public String agentId;

  public String name;

  @JdbcTypeCode(SqlTypes.ARRAY)
  public String[] capabilities;

  @Column(name = "heartbeat_interval_seconds")
  public int heartbeatIntervalSeconds;

  @Column(name = "max_concurrent_tasks")
  public int maxConcurrentTasks;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "proof_requirements")
  public String[] proofRequirements;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, Object> metadata;

  @Enumerated(EnumType.STRING)
  public AgentStatus status;

  @Column(name = "token_hash")
  public byte[] tokenHash;

  @Column(name = "registered_at")
  public Instant registeredAt;

  @Column(name = "last_heartbeat_at")
  public Instant lastHeartbeatAt;

  @Column(name = "lease_expires_at")
  public Instant leaseExpiresAt;

  @Column(name = "reliability_score")
  public double reliabilityScore;

  @Column(name = "open_assignments")
  public int openAssignments;

  @Column(name = "status_changed_at")
  public Instant statusChangedAt;

  @Column(name = "deregistered_at")
  public Instant deregisteredAt;

  /** The coordinator grant: this agent may create sessions (SPEC §3). */
  public boolean coordinator;

  @Version public long version;

  public int freeCapacity() {
    return Math.max(0, maxConcurrentTasks - openAssignments);
  }
}
