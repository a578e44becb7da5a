package io.ares.delivery;

import io.ares.agent.Agent;
import io.ares.agent.AgentLifecycleListener;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A rotated token or a deregistration is announced to every replica (NOTIFY, sent on commit): each forgets the
 * agent's remembered tokens ({@link io.ares.agent.TokenCache}) and wakes the agent's streams, which check their
 * token again before their next claim and close when it no longer opens them.
 */
@ApplicationScoped
public class StreamRevocation implements AgentLifecycleListener {

  @Inject Outbox outbox;

  @Override
  public Uni<Void> onTokenRotated(Agent agent) {
    return outbox.revoke(List.of(agent.agentId));
  }

  @Override
  public Uni<Void> onDeregistered(Agent agent, String actor) {
    return outbox.revoke(List.of(agent.agentId));
  }
}
