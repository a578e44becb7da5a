package io.ares.platform;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/** Ready only when the database answers on the reactive pool and carries the newest migration of this build. */
@Readiness
@ApplicationScoped
public class SchemaReadiness implements AsyncHealthCheck {

  @Inject Pool pool;
  @Inject Flyway flyway;

  private volatile String expected = "?";

  void onStart(@Observes StartupEvent e) {
    // Runs once at start-up on the main thread (JDBC is allowed here, never on a request path).
    MigrationInfo[] all = flyway.info().all();
    expected = all.length == 0 ? "none" : all[all.length - 1].getVersion().getVersion();
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return pool.query("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank DESC LIMIT 1")
        .execute()
        .map(rows -> {
          String current = rows.size() == 0 ? "none" : rows.iterator().next().getString("version");
          return HealthCheckResponse.named("ares-schema")
              .status(expected.equals(current))
              .withData("expected_version", expected)
              .withData("current_version", current)
              .build();
        })
        .onFailure().recoverWithItem(err -> HealthCheckResponse.named("ares-schema").down()
            .withData("error", String.valueOf(err.getMessage())).build());
  }
}
