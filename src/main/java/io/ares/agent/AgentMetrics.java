package io.ares.agent;

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

/** {@code ares_agents{status}}: agents by status, refreshed every few seconds by one grouped count. */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class AgentMetrics {

  @Inject MeterRegistry registry;
  @Inject Pool pool;

  private final Map<AgentStatus, AtomicLong> counts = new EnumMap<>(AgentStatus.class);

  @PostConstruct
  void init() {
    for (AgentStatus s : AgentStatus.values()) {
      AtomicLong v = new AtomicLong();
      counts.put(s, v);
      Gauge.builder("ares_agents", v, AtomicLong::get)
          .description("Agents by status")
          .tag("status", s.name())
          .register(registry);
    }
  }

  @Scheduled(every = "5s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> refresh() {
    return pool.query("SELECT status, count(*) AS n FROM agent GROUP BY status").execute()
        .invoke(rows -> {
          counts.values().forEach(v -> v.set(0));
          for (Row r : rows) {
            counts.get(AgentStatus.valueOf(r.getString("status"))).set(r.getLong("n"));
          }
        })
        .replaceWithVoid()
        .onFailure().recoverWithNull().replaceWithVoid();
  }
}
