package io.ares.reliability;

import io.ares.platform.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Test-only: calls {@link ReliabilityService#record(Outcome)} the way the sessions engine does, several
 * outcomes inside ONE caller transaction ({@code Panache.withTransaction}); {@code ?rollback=true} fails that
 * transaction after the outcomes, to show they roll back with it.
 */
@Path("/test/reliability/outcomes")
@PermitAll
public class OutcomeTestResource {

  @Inject ReliabilityService reliability;
  @Inject io.ares.agent.HeartbeatWriter heartbeats;

  public record OutcomeBody(
      String agentId, OutcomeKind kind, UUID assignmentId, UUID sessionId, Long responseTimeMs, String detail,
      Instant at) {}

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(hidden = true)
  public Uni<Response> record(
      List<OutcomeBody> body,
      @QueryParam("rollback") boolean rollback,
      @QueryParam("preload") boolean preload,
      @QueryParam("heartbeat_between") boolean heartbeatBetween) {
    return Panache.withTransaction(() -> {
      Uni<Void> chain = Uni.createFrom().voidItem();
      if (preload && !body.isEmpty()) {
        // Like the sessions engine: the caller already holds the managed Agent (read without a lock) ...
        String agentId = body.get(0).agentId();
        chain = chain.chain(() -> io.ares.agent.Agent.findById(agentId)).replaceWithVoid();
        if (heartbeatBetween) {
          // ... and a heartbeat (raw SQL, its own connection, no version bump) commits meanwhile.
          chain = chain.chain(() -> heartbeats.beat(agentId, null)).replaceWithVoid();
        }
      }
      for (OutcomeBody b : body) {
        Outcome o = new Outcome(b.agentId(), b.kind(), b.assignmentId(), b.sessionId(), b.responseTimeMs(),
            b.detail(), b.at());
        chain = chain.chain(() -> reliability.record(o));
      }
      if (rollback) {
        chain = chain.chain(() -> Uni.createFrom().failure(
            new ApiException(409, "ROLLED_BACK", "the caller's transaction failed on purpose")));
      }
      return chain;
    }).replaceWith(Response.noContent().build());
  }
}
