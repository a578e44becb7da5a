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
    return Assignment.<Assignment>list("agentId = ?1 and state in ?2", agent.agentId,
            List.of(AssignmentState.PENDING, AssignmentState.DELEGATED, AssignmentState.ACKNOWLEDGED,
                AssignmentState.COMPENSATING))
        .flatMap(list -> {
          Map<UUID, List<UUID>> bySession = new TreeMap<>();
          list.forEach(a -> bySession.computeIfAbsent(a.sessionId, k -> new ArrayList<>()).add(a.assignmentId));
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
