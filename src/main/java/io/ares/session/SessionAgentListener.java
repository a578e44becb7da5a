package io.ares.session;

import io.ares.agent.Agent;
import io.ares.agent.AgentLifecycleListener;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** A deregistered agent's open assignments are TIMED_OUT and its compensations in flight COMPENSATION_FAILED. */
@ApplicationScoped
public class SessionAgentListener implements AgentLifecycleListener {

  @Inject SessionEngine engine;

  @Override
  public Uni<Void> onDeregistered(Agent agent, String actor) {
    // Ids only (no entities loaded before the sessions are locked, so nothing stale is reused after the lock).
    return io.quarkus.hibernate.reactive.panache.Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT CAST(session_id AS varchar), CAST(assignment_id AS varchar) FROM assignment WHERE agent_id = :a "
                    + "AND state IN ('PENDING','DELEGATED','ACKNOWLEDGED','COMPENSATING')", Object[].class)
            .setParameter("a", agent.agentId)
            .getResultList())
        .flatMap(rows -> {
          // In PostgreSQL's uuid order (unsigned bytes, as the lower-case text sorts), the order in which the evidence
          // batches lock sessions; UUID.compareTo compares signed halves and would reverse ids on either side of 8….
          Map<UUID, List<UUID>> bySession = new TreeMap<>(java.util.Comparator.comparing(UUID::toString));
          for (Object[] r : rows) {
            bySession.computeIfAbsent(UUID.fromString((String) r[0]), k -> new ArrayList<>())
                .add(UUID.fromString((String) r[1]));
          }
          Uni<Void> chain = Uni.createFrom().voidItem();
          for (var e : bySession.entrySet()) {
            chain = chain.call(() -> engine.load(e.getKey()).flatMap(ctx -> {
              Uni<Void> steps = Uni.createFrom().voidItem();
              for (UUID id : e.getValue()) {
                Assignment a = ctx.find(id).orElseThrow();
                if (a.state.isOpen()) {
                  steps = steps.call(() -> engine.timeOut(ctx, a, "AGENT_DEREGISTERED", false));
                } else if (a.state == AssignmentState.COMPENSATING) {
                  steps = steps.call(() -> engine.failCompensation(ctx, a, "agent deregistered", "AGENT_DEREGISTERED")
                      .call(() -> engine.progressCompensation(ctx)));
                }
              }
              return steps.call(() -> engine.finish(ctx));
            }));
          }
          return chain;
        });
  }
}
