package io.ares.platform;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leaves out the per-connection SQL client meters ({@code postgresql.queue.size}, {@code postgresql.current}, …,
 * tagged {@code clientType=sql}). The PostgreSQL client asks for client metrics on every new connection of the pool
 * (PgConnectionFactory.newSocketConnection), and Quarkus Micrometer registers the same gauges, tagged with the
 * datasource name only, each time: the second connection logged "This Gauge has been already registered", and the
 * gauges showed the first connection alone. The pool's own meters ({@code sql_pool_*}: queue delay, usage, tagged
 * {@code pool.type}) stay, and say what those gauges meant to.
 */
@Singleton
public class SqlClientMetricsFilter {

  @Produces
  @Singleton
  MeterFilter noPerConnectionSqlClientMeters() {
    return new MeterFilter() {
      @Override
      public MeterFilterReply accept(io.micrometer.core.instrument.Meter.Id id) {
        return "sql".equals(id.getTag("clientType")) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }
    };
  }
}
