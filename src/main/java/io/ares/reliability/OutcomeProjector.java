package io.ares.reliability;

import io.ares.platform.GroupCommit;
import io.ares.platform.Transactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Applies the outcomes queued in {@code reliability_outcome} to the reliability record, in batches.
 *
 * <p>A transition written on the reactive pool (the direct evidence path) cannot join a Hibernate Reactive
 * transaction, so it inserts its outcome into {@code reliability_outcome} in its own transaction (the outcome is as
 * durable as the verdict) and then calls {@link #apply(long)}, which answers once the outcome is part of the record:
 * the caller's answer still reflects it. Concurrent callers share one transaction (group commit, {@link GroupCommit}, as the heartbeats):
 * the batch takes its agents' reliability locks and loads the agents and their states in three statements, each outcome is applied in order, and
 * the applied rows are deleted. An outcome whose batch failed (or whose instance died) stays queued and is taken by
 * the sweep, which every {@code ares.reliability.projector-sweep} applies the rows that were already there at the
 * previous sweep; rows are claimed {@code FOR UPDATE SKIP LOCKED}, so replicas never apply one twice.
 */
@ApplicationScoped
public class OutcomeProjector {

  private static final Logger LOG = Logger.getLogger(OutcomeProjector.class);
  static final int MAX_BATCH = 128;
  static final Duration BATCH_TIMEOUT = Duration.ofSeconds(10);

  private static final String COLUMNS =
      "SELECT outcome_id, agent_id, kind, CAST(assignment_id AS varchar), CAST(session_id AS varchar), "
          + "response_time_ms, detail, at FROM reliability_outcome ";
  static final String CLAIM = COLUMNS + "WHERE outcome_id = ANY(CAST(:ids AS bigint[])) FOR UPDATE SKIP LOCKED";
  static final String CLAIM_STRAYS = COLUMNS + "WHERE outcome_id <= :upTo ORDER BY outcome_id LIMIT :n "
      + "FOR UPDATE SKIP LOCKED";
  static final String DELETE = "DELETE FROM reliability_outcome WHERE outcome_id = ANY(CAST(:ids AS bigint[]))";

  @Inject ReliabilityService reliability;
  @Inject Vertx vertx;
  @Inject MeterRegistry registry;

  private final GroupCommit<Long, Void> commits = new GroupCommit<>(MAX_BATCH, this::applyBatch);
  /** The newest outcome id seen by the previous sweep: older rows are strays. */
  private final AtomicLong sweepWatermark = new AtomicLong(0);
  private Timer batchTimer;

  @PostConstruct
  void init() {
    batchTimer = Timer.builder("ares_reliability_projector_batch_seconds")
        .description("One batch of queued outcomes applied to the reliability record").register(registry);
  }

  /** Applies the queued outcome (with whatever else is queued); completes when it is in the record. */
  public Uni<Void> apply(long outcomeId) {
    return commits.submit(outcomeId);
  }

  private Uni<Void> applyBatch(List<GroupCommit.Entry<Long, Void>> batch) {
    Long[] ids = batch.stream().map(GroupCommit.Entry::item).toArray(Long[]::new);
    long start = System.nanoTime();
    return Transactions.retrying(vertx, () -> claim(CLAIM, ids, 0).flatMap(this::applyAndDelete))
        // A batch stuck on a lock must not hold every later verdict's answer: give up, leave it to the sweep.
        .ifNoItem().after(BATCH_TIMEOUT).fail()
        .invoke(n -> {
          batchTimer.record(Duration.ofNanos(System.nanoTime() - start));
          // Rows not claimed were applied, or are being applied, by another projector (the sweep, a replica):
          // their callers are answered now, possibly just before that transaction commits.
          batch.forEach(x -> x.complete(null));
        })
        .onFailure().invoke(err -> LOG.warnf("reliability batch of %d outcomes failed, left for the sweep: %s",
            batch.size(), err.getMessage()))
        .replaceWithVoid();
  }

  /**
   * Applies the outcomes left behind (a failed batch, an instance that stopped between the verdict and its batch):
   * those already queued at the previous sweep, a batch at a time. Returns how many were applied.
   */
  @Scheduled(every = "${ares.reliability.projector-sweep:5s}", delayed = "3s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> tick() {
    return sweep().replaceWithVoid();
  }

  /** One sweep (see {@link #tick()}); the count of outcomes it applied. */
  public Uni<Integer> sweep() {
    long upTo = sweepWatermark.get();
    return Transactions.retrying(vertx, () -> claim(CLAIM_STRAYS, null, upTo).flatMap(this::applyAndDelete))
        .call(n -> Transactions.retrying(vertx, () -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("SELECT coalesce(max(outcome_id), 0) FROM reliability_outcome",
                        Long.class).getSingleResult()))
            .invoke(max -> sweepWatermark.set(Math.max(upTo, max))))
        .invoke(n -> {
          if (n > 0) {
            LOG.infof("reliability sweep applied %d queued outcomes", n);
          }
        })
        .onFailure().recoverWithItem(e -> {
          LOG.warnf("reliability sweep failed: %s", e.getMessage());
          return 0;
        });
  }

  /** A queued row: its id and the outcome it holds. */
  private record Queued(long id, Outcome outcome) {}

  private Uni<List<Queued>> claim(String sql, Long[] ids, long upTo) {
    return Panache.getSession().flatMap(s -> {
      var q = s.createNativeQuery(sql, Object[].class);
      if (ids != null) {
        q.setParameter("ids", ids);
      } else {
        q.setParameter("upTo", upTo).setParameter("n", MAX_BATCH);
      }
      return q.getResultList();
    }).map(rows -> rows.stream().map(OutcomeProjector::queued)
        // Agent id order (the order in which the batch locks the agents' rows), then the order they happened in.
        .sorted(Comparator.comparing((Queued x) -> x.outcome().agentId()).thenComparingLong(Queued::id))
        .toList());
  }

  private Uni<Integer> applyAndDelete(List<Queued> claimed) {
    if (claimed.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    Long[] ids = claimed.stream().map(Queued::id).toArray(Long[]::new);
    return reliability.recordAll(claimed.stream().map(Queued::outcome).toList())
        .call(() -> Panache.getSession()
            .flatMap(s -> s.createNativeQuery(DELETE).setParameter("ids", ids).executeUpdate()))
        .replaceWith(claimed.size());
  }

  private static Queued queued(Object[] r) {
    return new Queued(((Number) r[0]).longValue(), new Outcome(
        (String) r[1],
        OutcomeKind.valueOf((String) r[2]),
        r[3] == null ? null : UUID.fromString((String) r[3]),
        r[4] == null ? null : UUID.fromString((String) r[4]),
        r[5] == null ? null : ((Number) r[5]).longValue(),
        (String) r[6],
        instant(r[7])));
  }

  private static Instant instant(Object o) {
    if (o instanceof Instant i) {
      return i;
    }
    if (o instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (o instanceof java.sql.Timestamp t) {
      return t.toInstant();
    }
    return o instanceof java.time.LocalDateTime l ? l.toInstant(java.time.ZoneOffset.UTC) : null;
  }
}
