package io.ares.monitor;

import io.ares.platform.AresConfig;
import io.ares.session.SessionSweeps;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The monitor (SPEC §4): every {@code ares.monitor.interval} it sweeps, in order, expired leases, assignments past
 * their deadlines, sessions past their deadline, replacements due and exhausted compensations. Each sweep reads only
 * the due rows (partial indexes), in batches; each row is handled in its own transaction, and one failing row never
 * stops the sweep. Safe with several replicas: rows are re-claimed under lock and re-checked.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class Monitor {

  private static final Logger LOG = Logger.getLogger(Monitor.class);

  @Inject SessionSweeps sweeps;
  @Inject AresConfig config;
  @Inject Clock clock;
  @Inject MeterRegistry registry;
  @Inject Vertx vertx;

  private final AtomicReference<Instant> lastCompleted = new AtomicReference<>();
  private final AtomicReference<Instant> lastStarted = new AtomicReference<>();
  private Timer sweepTimer;

  /** What one sweep did. */
  public record Report(int unresponsive, int timedOut, int expired, int replaced, int compensationsFailed) {}

  @PostConstruct
  void init() {
    sweepTimer = Timer.builder("ares_monitor_sweep_seconds").description("Duration of one monitor sweep")
        .publishPercentileHistogram().register(registry);
    Gauge.builder("ares_monitor_lag_seconds", this, m -> m.lagSeconds())
        .description("Seconds since the last completed sweep").register(registry);
  }

  double lagSeconds() {
    Instant last = lastCompleted.get();
    return last == null ? -1 : Duration.between(last, Instant.now()).toMillis() / 1000.0;
  }

  /** When the last sweep completed (wall clock), or null. */
  public Instant lastCompleted() {
    return lastCompleted.get();
  }

  @Scheduled(every = "${ares.monitor.interval:1s}", delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> tick() {
    if (!config.monitor().enabled()) {
      return Uni.createFrom().voidItem();
    }
    return sweep().replaceWithVoid()
        .onFailure().invoke(e -> LOG.warnf("monitor sweep failed: %s", e.getMessage()))
        .onFailure().recoverWithNull().replaceWithVoid();
  }

  /** One full sweep. Must run on a Vert.x (duplicated) context; see {@link #sweepNow()}. */
  public Uni<Report> sweep() {
    long start = System.nanoTime();
    lastStarted.set(Instant.now());
    int n = config.monitor().batchSize();
    return each(sweeps.expiredLeases(n), sweeps::markUnresponsive)
        .flatMap(unresponsive -> each(sweeps.dueAssignments(n), sweeps::timeOutAssignments)
            .flatMap(timedOut -> each(sweeps.pastDeadline(n), sweeps::expire)
                .flatMap(expired -> each(sweeps.replacementsDue(n), sweeps::createReplacements)
                    .flatMap(replaced -> each(sweeps.exhaustedCompensations(n), sweeps::failExhausted)
                        .map(failed -> new Report(unresponsive, timedOut, expired, replaced, failed))))))
        .invoke(r -> {
          lastCompleted.set(Instant.now());
          sweepTimer.record(Duration.ofNanos(System.nanoTime() - start));
          if (r.unresponsive() + r.timedOut() + r.expired() + r.replaced() + r.compensationsFailed() > 0) {
            LOG.debugf("monitor: %s", r);
          }
        });
  }

  /** Runs the rows' steps one after another; a failing row is logged and skipped. Counts what was done. */
  private <T> Uni<Integer> each(Uni<List<T>> due, Function<T, Uni<?>> step) {
    return due.flatMap(rows -> Multi.createFrom().iterable(rows)
        .onItem().transformToUniAndConcatenate(row -> step.apply(row)
            .map(r -> r instanceof Boolean b ? (b ? 1 : 0) : r instanceof Integer i ? i : 1)
            .onFailure().recoverWithItem(e -> {
              LOG.warnf("monitor: row %s failed: %s", row, e.getMessage());
              return 0;
            }))
        .collect().asList()
        .map(list -> list.stream().mapToInt(Integer::intValue).sum()));
  }

  /** Runs one sweep on a fresh safe duplicated Vert.x context (for tests and operators' tools). */
  public CompletionStage<Report> sweepNow() {
    return io.ares.platform.SafeContext.run(vertx, this::sweep).subscribeAsCompletionStage();
  }
}
