package io.ares.reliability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@code ares_incidents_total{code}}, {@code ares_enforcement_actions_total{action,rule}} and the distribution
 * of computed scores {@code ares_reliability_score}. Counted when recorded, inside the caller's transaction:
 * a transaction that rolls back afterwards has still been counted.
 */
@ApplicationScoped
public class ReliabilityMetrics {

  @Inject MeterRegistry registry;

  private DistributionSummary scores;

  @PostConstruct
  void init() {
    scores = DistributionSummary.builder("ares_reliability_score")
        .description("Reliability scores as computed after each result (0..1)")
        .serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
        .register(registry);
  }

  public void incident(String code) {
    Counter.builder("ares_incidents_total").description("Incidents recorded, by code").tag("code", code)
        .register(registry).increment();
  }

  public void enforcement(EnforcementAction.Action action, String rule) {
    Counter.builder("ares_enforcement_actions_total").description("Quarantines and releases, by action and rule")
        .tag("action", action.name()).tag("rule", rule)
        .register(registry).increment();
  }

  public void score(double score) {
    scores.record(score);
  }
}
