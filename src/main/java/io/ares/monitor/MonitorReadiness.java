package io.ares.monitor;

import io.ares.platform.AresConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the monitor completes sweeps: DOWN after five intervals (at least 10 s) without one. */
@Readiness
@ApplicationScoped
public class MonitorReadiness implements HealthCheck {

  private final Instant started = Instant.now();

  @Inject Monitor monitor;
  @Inject AresConfig config;

  @Override
  public HealthCheckResponse call() {
    if (!config.monitor().enabled()) {
      return HealthCheckResponse.named("ares-monitor").up().withData("enabled", false).build();
    }
    Duration allowed = config.monitor().interval().multipliedBy(5);
    if (allowed.compareTo(Duration.ofSeconds(10)) < 0) {
      allowed = Duration.ofSeconds(10);
    }
    Instant last = monitor.lastCompleted();
    Instant reference = last == null ? started : last;
    boolean up = Duration.between(reference, Instant.now()).compareTo(allowed) <= 0;
    return HealthCheckResponse.named("ares-monitor").status(up)
        .withData("last_sweep", last == null ? "none yet" : last.toString())
        .build();
  }
}
