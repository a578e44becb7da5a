package io.ares.reliability;

import io.ares.agent.Agent;
import io.ares.agent.AgentLifecycleListener;
import io.ares.agent.AgentStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Puts operator quarantines and releases into the enforcement history (automatic quarantines are recorded
 * by {@link ReliabilityService} itself, with their rule). Runs inside the agent registry's transaction.
 */
@ApplicationScoped
public class ReliabilityLifecycleListener implements AgentLifecycleListener {

  @Inject ReliabilityService reliability;

  @Override
  public Uni<Void> onStatusChanged(Agent agent, AgentStatus from, AgentStatus to, String cause) {
    if (ReliabilityService.AUTO_QUARANTINE.equals(cause)) {
      return Uni.createFrom().voidItem();
    }
    return reliability.recordOperatorAction(agent, from, to, cause);
  }
}
