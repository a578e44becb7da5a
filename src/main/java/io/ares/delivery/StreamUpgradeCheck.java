package io.ares.delivery;

import io.ares.agent.AgentTokenIdentityProvider;
import io.ares.agent.AgentTokenMechanism;
import jakarta.inject.Inject;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Only the agent itself may open its stream: 401 without a valid bearer token, 403 for another agent's. */
@ApplicationScoped
public class StreamUpgradeCheck implements HttpUpgradeCheck {

  @Inject AgentTokenIdentityProvider tokens;

  @Override
  public boolean appliesTo(String endpointId) {
    return AgentStream.ENDPOINT_ID.equals(endpointId);
  }

  @Override
  public Uni<CheckResult> perform(HttpUpgradeContext context) {
    String id = context.pathParam("id");
    String token = AgentTokenMechanism.bearer(context.httpRequest().getHeader("Authorization"));
    if (token == null) {
      return CheckResult.rejectUpgrade(401);
    }
    return tokens.agentFor(token).flatMap(agentId -> {
      if (agentId == null) {
        return CheckResult.rejectUpgrade(401);
      }
      return agentId.equals(id) ? CheckResult.permitUpgrade() : CheckResult.rejectUpgrade(403);
    });
  }
}
