package io.ares.delivery;

import io.ares.agent.Agent;
import io.ares.agent.AgentLifecycleListener;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A rotated token or a deregistration wakes the agent's streams on every replica (NOTIFY, sent on commit); each
 * stream checks its token again before its next claim and closes when the token no longer opens it.
 */
@ApplicationScoped
public class StreamRevocation implements AgentLifecycleListener {

  @Inject Outbox outbox;

  @Override
  public Uni<Void> onTokenRotated(Agent agent) {
    return outbox.wake(List.of(agent.agentId));
  }

  @Override
  public Uni<Void> onDeregistered(Agent agent, String actor) {
    return outbox.wake(List.of(agent.agentId));
  }
}
