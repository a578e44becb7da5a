package io.ares.console;

import io.ares.console.ConsoleReads.FailedSession;
import io.ares.console.ConsoleReads.SettledCompensation;
import io.ares.platform.AresConfig;
import io.ares.platform.SafeContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's figures, computed in the background and served from memory (see {@link SnapshotCache}): a
 * dashboard request costs no database work once the first snapshot exists, however large the tables. A request
 * that finds the snapshot older than {@code ares.console.dashboard-max-age} starts one refresh and is shown the
 * snapshot it found, with its "as of" time.
 *
 * <p>A refresh is one read-only REPEATABLE READ transaction (every figure of a snapshot is from the same instant):
 * the grouped counts of sessions and agents, the recent failures and rollbacks, and the throughput of the minutes
 * not yet settled (see {@link ThroughputWindow}: a refresh re-reads the last two to three minutes of session ends;
 * only the first one reads the whole hour). It runs on a Vert.x context of its own, never on a request's.
 */
@ApplicationScoped
public class DashboardSnapshot {

  static final int RECENT = 8;
  static final Duration ROLLBACKS_SINCE = Duration.ofHours(24);
  /** A refresh that takes longer fails (PostgreSQL cancels its statement; the app stops waiting for it). */
  static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);

  /** Everything the dashboard shows, as of one instant (the start of the refresh that read it). */
  public record Snapshot(Instant asOf, Map<String, Long> sessionsByState, Map<String, Long> agentsByStatus,
      List<FailedSession> failures, List<SettledCompensation> rollbacks, ThroughputWindow throughput) {}

  @Inject ConsoleReads reads;
  @Inject Pool pool;
  @Inject Clock clock;
  @Inject Vertx vertx;
  @Inject AresConfig config;

  private SnapshotCache<Snapshot> cache;

  @PostConstruct
  void init() {
    cache = new SnapshotCache<>("dashboard", clock, config.console().dashboardMaxAge(), REFRESH_TIMEOUT, Snapshot::asOf,
        previous -> SafeContext.run(vertx, () -> compute(previous)));
  }

  /** The snapshot to show now: the current one (starting a refresh when it is too old), the first one awaited. */
  public Uni<Snapshot> current() {
    return cache.get();
  }

  /**
   * A snapshot whose refresh started after this call, so it shows every write committed before it. The dashboard
   * tests use it the way the monitor tests use {@code sweepNow()}.
   */
  public Uni<Snapshot> refreshNow() {
    return cache.refreshNow();
  }

  /** One refresh: the counts and lists afresh, the throughput's unsettled minutes merged into the kept ones. */
  Uni<Snapshot> compute(Snapshot previous) {
    Instant now = clock.instant();
    ThroughputWindow window = previous == null ? ThroughputWindow.EMPTY : previous.throughput();
    long readFrom = window.readFrom(now);
    return pool.withTransaction(db -> db.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
            + "SET LOCAL statement_timeout = " + REFRESH_TIMEOUT.toMillis()).execute()
        .chain(() -> Uni.combine().all().unis(
                reads.sessionsByState(db),
                reads.agentsByStatus(db),
                reads.recentFailures(db, RECENT),
                reads.recentRollbacks(db, now.minus(ROLLBACKS_SINCE), RECENT),
                reads.throughputByMinute(db, ThroughputWindow.startOf(readFrom)))
            .with((sessions, agents, failures, rollbacks, minutes) -> new Snapshot(now, Map.copyOf(sessions),
                Map.copyOf(agents), List.copyOf(failures), List.copyOf(rollbacks),
                window.merge(now, readFrom, minutes)))));
  }
}
