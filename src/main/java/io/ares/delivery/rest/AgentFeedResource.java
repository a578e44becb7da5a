package io.ares.delivery.rest;

import io.ares.agent.AgentService;
import io.ares.delivery.DeliveryService;
import io.ares.delivery.MessageView;
import io.ares.platform.ApiException;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import io.ares.agent.AgentTokenMechanism;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The agent's long-poll for messages (delegations, compensation orders, cancellations). */
@Path("/api/v1/agents/{id}/assignments")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "agents")
public class AgentFeedResource {

  @Inject DeliveryService delivery;
  @Inject AgentService agents;
  @Inject SecurityIdentity identity;

  @GET
  @Operation(summary = "Long-poll for messages (wait_seconds 0..60, default 30); a sign of life")
  public Uni<List<MessageView>> poll(@PathParam("id") String id, @QueryParam("wait_seconds") String waitSeconds,
      @HeaderParam("Authorization") String authorization) {
    Caller.of(identity).requireAgent(id);
    int wait = Params.intParam("wait_seconds", waitSeconds, 30);
    if (wait < 0 || wait > 60) {
      throw ApiException.validation("wait_seconds must be between 0 and 60");
    }
    // Signs of life are best effort here: a failed lease renewal must not turn a committed claim into an error.
    return agents.signOfLife(id).onFailure().recoverWithNull()
        .flatMap(b -> delivery.poll(id, Duration.ofSeconds(wait), AgentTokenMechanism.bearer(authorization)))
        .call(messages -> agents.signOfLife(id).onFailure().recoverWithNull());
  }
}
