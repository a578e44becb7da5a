package io.ares.session;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ares_sessions{state}}: sessions by state, refreshed every few seconds by one grouped count. */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class SessionMetrics {

  @Inject MeterRegistry registry;
  @Inject Pool pool;

  private final Map<SessionState, AtomicLong> counts = new EnumMap<>(SessionState.class);

  @PostConstruct
  void init() {
    for (SessionState s : SessionState.values()) {
      AtomicLong v = new AtomicLong();
      counts.put(s, v);
      Gauge.builder("ares_sessions", v, AtomicLong::get).description("Sessions by state").tag("state", s.name())
          .register(registry);
    }
  }

  @Scheduled(every = "5s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> refresh() {
    return pool.query("SELECT state, count(*) AS n FROM coordination_session GROUP BY state").execute()
        .invoke(rows -> {
          counts.values().forEach(v -> v.set(0));
          for (Row r : rows) {
            counts.get(SessionState.valueOf(r.getString("state"))).set(r.getLong("n"));
          }
        })
        .replaceWithVoid()
        .onFailure().recoverWithNull().replaceWithVoid();
  }
}
