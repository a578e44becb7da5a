package io.ares.reliability;

import io.ares.platform.GroupCommit;
import io.ares.platform.Transactions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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
 * durable as the verdict) and then calls {@link #apply(long)}, which completes once the outcome is part of the record
 * (the verdict's answer waits for that only with {@code ares.reliability.verdict-awaits-record}). Concurrent
 * outcomes share one transaction (group commit, {@link GroupCommit}, as the heartbeats), applied by
 * {@link OutcomeBatch} in five statements, or through the entities when the batch raises an incident or nears a
 * quarantine; the applied rows are deleted. An outcome whose batch failed (or whose instance died) stays queued and is taken by
 * the sweep, which every {@code ares.reliability.projector-sweep} applies the rows that were already there at the
 * previous sweep; rows are claimed {@code FOR UPDATE SKIP LOCKED}, so replicas never apply one twice.
 */
@ApplicationScoped
public class OutcomeProjector {

  private static final Logger LOG = Logger.getLogger(OutcomeProjector.class);
  static final int MAX_BATCH = 128;
  /** Outcomes applied, by path: {@code batch} ({@link OutcomeBatch}) or {@code entities} (the general path). */
  static final String APPLIED = "ares_reliability_outcomes_applied_total";
  static final Duration BATCH_TIMEOUT = Duration.ofSeconds(10);

  private static final String COLUMNS =
      "SELECT outcome_id, agent_id, kind, CAST(assignment_id AS varchar), CAST(session_id AS varchar), "
          + "response_time_ms, detail, at FROM reliability_outcome ";
  static final String CLAIM = COLUMNS + "WHERE outcome_id = ANY(CAST(:ids AS bigint[])) FOR UPDATE SKIP LOCKED";
  private static final String POOL_COLUMNS =
      "SELECT outcome_id, agent_id, kind, assignment_id, session_id, response_time_ms, detail, at FROM reliability_outcome ";
  static final String POOL_CLAIM = POOL_COLUMNS + "WHERE outcome_id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED";
  static final String POOL_CLAIM_STRAYS = POOL_COLUMNS + "WHERE outcome_id <= $1 ORDER BY outcome_id LIMIT $2 "
      + "FOR UPDATE SKIP LOCKED";
  static final String DELETE = "DELETE FROM reliability_outcome WHERE outcome_id = ANY(CAST(:ids AS bigint[]))";

  @Inject ReliabilityService reliability;
  @Inject OutcomeBatch batches;
  @Inject Pool pool;
  @Inject Vertx vertx;
  @Inject MeterRegistry registry;

  private final GroupCommit<Long, Void> commits = new GroupCommit<>(MAX_BATCH, this::applyBatch);
  /** The newest outcome id seen by the previous sweep: older rows are strays. */
  private final AtomicLong sweepWatermark = new AtomicLong(0);
  private Timer batchTimer;

  @PostConstruct
  void init() {
    commits.measure(registry, "outcome");
    batchTimer = Timer.builder("ares_reliability_projector_batch_seconds")
        .description("One batch of queued outcomes applied to the reliability record").register(registry);
  }

  /** Applies the queued outcome (with whatever else is queued); completes when it is in the record. */
  public Uni<Void> apply(long outcomeId) {
    return commits.submit(outcomeId);
  }

  /**
   * Outcomes waiting for a batch of this instance beyond which a caller that does not wait for its outcome should
   * leave it to the sweep (its row is durable): the in-memory queue stays bounded when verdicts outpace the batches.
   */
  static final int MAX_BACKLOG = 20 * MAX_BATCH;

  /**
   * Applies the queued outcome in the background (for a caller that does not wait): failures are logged, and when
   * this instance's queue is full the outcome, whose row is durable, is left to the sweep.
   */
  public void applyLater(long outcomeId) {
    if (commits.backlog() >= MAX_BACKLOG) {
      return;
    }
    apply(outcomeId).subscribe().with(x -> { },
        e -> LOG.warnf("outcome %d left for the sweep: %s", outcomeId, e.getMessage()));
  }

  private Uni<Void> applyBatch(List<GroupCommit.Entry<Long, Void>> batch) {
    Long[] ids = batch.stream().map(GroupCommit.Entry::item).toArray(Long[]::new);
    long start = System.nanoTime();
    return applyClaimed(ids, 0)
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
    return sweepFrom(upTo, 0, 0)
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

  /** Full batches are followed by another, up to {@value #SWEEP_BATCHES} per sweep. */
  static final int SWEEP_BATCHES = 50;

  private Uni<Integer> sweepFrom(long upTo, int done, int rounds) {
    return applyClaimed(null, upTo).flatMap(n -> n >= MAX_BATCH && rounds + 1 < SWEEP_BATCHES
        ? sweepFrom(upTo, done + n, rounds + 1)
        : Uni.createFrom().item(done + n));
  }

  /** A queued row: its id and the outcome it holds. */
  private record Queued(long id, Outcome outcome) {}

  /**
   * Claims the queued outcomes ({@code ids}, or the strays up to {@code upTo}) and applies them: by
   * {@link OutcomeBatch} in one pool transaction when the batch is the common case, else (nothing written) through
   * the entities in a transaction of their own. The count of outcomes applied.
   */
  private Uni<Integer> applyClaimed(Long[] ids, long upTo) {
    return Transactions.onPool(pool, conn -> conn.preparedQuery(ids != null ? POOL_CLAIM : POOL_CLAIM_STRAYS)
            .execute(ids != null ? Tuple.of((Object) ids) : Tuple.of(upTo, MAX_BATCH))
            .flatMap(rows -> {
              List<Queued> claimed = new ArrayList<>();
              rows.forEach(r -> claimed.add(queued(r)));
              claimed.sort(ORDER);
              if (claimed.isEmpty()) {
                return Uni.createFrom().item(new Claimed(0, null));
              }
              Long[] got = claimed.stream().map(Queued::id).toArray(Long[]::new);
              return batches.apply(conn, claimed.stream().map(Queued::outcome).toList(), got)
                  .map(done -> new Claimed(done ? claimed.size() : 0, done ? null : got));
            }))
        .flatMap(c -> {
          if (c.forEntities() == null) {
            registry.counter(APPLIED, "path", "batch").increment(c.applied());
            return Uni.createFrom().item(c.applied());
          }
          // Nothing was written: the same rows (those still queued) go through the entities.
          return Transactions.retrying(vertx, () -> claim(c.forEntities()).flatMap(this::applyAndDelete))
              .invoke(m -> registry.counter(APPLIED, "path", "entities").increment(m));
        });
  }

  /** What a pool claim did: outcomes applied by the batch, or the ids it left for the entity path. */
  private record Claimed(int applied, Long[] forEntities) {}

  /** Agent id order (the order in which a batch takes its agents' locks), then the order they happened in. */
  private static final Comparator<Queued> ORDER =
      Comparator.comparing((Queued x) -> x.outcome().agentId()).thenComparingLong(Queued::id);

  private static Queued queued(Row r) {
    var at = r.getOffsetDateTime("at");
    return new Queued(r.getLong("outcome_id"), new Outcome(
        r.getString("agent_id"),
        OutcomeKind.valueOf(r.getString("kind")),
        r.getUUID("assignment_id"),
        r.getUUID("session_id"),
        r.getLong("response_time_ms"),
        r.getString("detail"),
        at == null ? null : at.toInstant()));
  }

  private Uni<List<Queued>> claim(Long[] ids) {
    return Panache.getSession().flatMap(s -> s.createNativeQuery(CLAIM, Object[].class).setParameter("ids", ids)
        .getResultList()).map(rows -> rows.stream().map(OutcomeProjector::queued)
        .sorted(ORDER)
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
