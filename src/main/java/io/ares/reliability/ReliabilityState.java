package io.ares.reliability;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * The running aggregates of one agent's reliability window. Each result is added once when it is recorded
 * and subtracted once when it leaves the window (results with {@code at <= expiredThrough} are out), so a
 * new outcome costs O(1) amortised, never a pass over the history. Changed only by {@link ReliabilityService}
 * while it holds the agent's row lock.
 */
@Entity
@Table(name = "reliability_state")
public class ReliabilityState extends PanacheEntityBase {

  private static final double NANOS_PER_DAY = 86_400e9;

  @Id
  @Column(name = "agent_id")
  public String agentId;

  /** Response times are placed on a time axis in days from here (reset whenever no sample is in the window). */
  @Column(name = "origin_at")
  public Instant originAt;

  @Column(name = "expired_through")
  public Instant expiredThrough;

  /** Counted results in the window. */
  public int results;

  public int successes;

  @Column(name = "failure_weight")
  public double failureWeight;

  @Column(name = "rt_samples")
  public int rtSamples;

  @Column(name = "rt_sum_t")
  public double rtSumT;

  @Column(name = "rt_sum_y")
  public double rtSumY;

  @Column(name = "rt_sum_tt")
  public double rtSumTT;

  @Column(name = "rt_sum_ty")
  public double rtSumTY;

  public int outliers;

  public int bursts;

  /** Results in the window by outcome kind (covered ones included). */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "kind_counts")
  public Map<String, Integer> kindCounts = new HashMap<>();

  /** The newest response times (the outlier baseline), oldest first. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "baseline_ms")
  public long[] baselineMs = new long[0];

  /** Times (epoch ms) of the newest failures of the current run of failures. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "run_failures_ms")
  public long[] runFailuresMs = new long[0];

  @Column(name = "run_flagged")
  public boolean runFlagged;

  public double score;

  @Column(name = "updated_at")
  public Instant updatedAt;

  public static ReliabilityState fresh(String agentId, Instant at, Duration window, double score) {
    ReliabilityState s = new ReliabilityState();
    s.agentId = agentId;
    s.originAt = at;
    s.expiredThrough = at.minus(window);
    s.score = score;
    s.updatedAt = at;
    return s;
  }

  /** Days from the trend origin to {@code at}. */
  public double days(Instant at) {
    return Duration.between(originAt, at).toNanos() / NANOS_PER_DAY;
  }

  public ScoreModel.Inputs inputs() {
    return new ScoreModel.Inputs(successes, failureWeight, rtSamples, rtSumT, rtSumY, rtSumTT, rtSumTY, outliers, bursts);
  }

  /** Adds one result (already inside the window). */
  public void add(ReliabilityResult r) {
    Map<String, Integer> k = new HashMap<>(kindCounts);
    k.merge(r.kind.name(), 1, Integer::sum);
    kindCounts = k;
    if (!r.counted) {
      return;
    }
    results++;
    if (r.success) {
      successes++;
    }
    failureWeight += r.failureWeight;
    if (r.tDays != null) {
      double t = r.tDays;
      double y = r.responseTimeMs;
      rtSamples++;
      rtSumT += t;
      rtSumY += y;
      rtSumTT += t * t;
      rtSumTY += t * y;
    }
    if (r.outlierDetail != null) {
      outliers++;
    }
    if (r.burstDetail != null) {
      bursts++;
    }
  }

  /** The sums of the results of one kind that left the window. */
  public record Expired(
      OutcomeKind kind, long all, long counted, long successes, double failureWeight, long rtSamples,
      double sumT, double sumY, double sumTT, double sumTY, long outliers, long bursts) {}

  /** Subtracts results that left the window; sums return to exact zeros once nothing is left. */
  public void subtract(Expired e, Instant newExpiredThrough) {
    Map<String, Integer> k = new HashMap<>(kindCounts);
    int left = k.getOrDefault(e.kind().name(), 0) - (int) e.all();
    if (left > 0) {
      k.put(e.kind().name(), left);
    } else {
      k.remove(e.kind().name());
    }
    kindCounts = k;
    results -= (int) e.counted();
    successes -= (int) e.successes();
    failureWeight -= e.failureWeight();
    rtSamples -= (int) e.rtSamples();
    rtSumT -= e.sumT();
    rtSumY -= e.sumY();
    rtSumTT -= e.sumTT();
    rtSumTY -= e.sumTY();
    outliers -= (int) e.outliers();
    bursts -= (int) e.bursts();
    expiredThrough = newExpiredThrough;
  }

  /** Called after expiry: no float residue once a sum is over nothing. */
  public void settle() {
    if (results <= 0) {
      results = 0;
      successes = 0;
      failureWeight = 0;
    }
    if (rtSamples <= 0) {
      rtSamples = 0;
      rtSumT = rtSumY = rtSumTT = rtSumTY = 0;
    }
  }
}
