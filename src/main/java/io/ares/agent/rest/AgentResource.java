package io.ares.agent.rest;

import io.ares.agent.AgentRegistration;
import io.ares.agent.AgentService;
import io.ares.agent.AgentStatus;
import io.ares.agent.AgentTokenMechanism;
import io.ares.agent.HeartbeatWriter;
import io.ares.agent.RegistrationLimits;
import io.ares.platform.ClientAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
import io.ares.platform.ApiException;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Agent registry endpoints (SPEC §3). Thin: parse, authorise, delegate to {@link AgentService}. */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "agents")
public class AgentResource {

  @Inject AgentService agents;
  @Inject HeartbeatWriter heartbeats;
  @Inject SecurityIdentity identity;
  @Inject Pool pool;
  @Inject RegistrationLimits registrationLimits;
  @Inject ClientAddress clientAddress;

  /** Registration answer: the agent plus its token (shown once) and where to long-poll. */
  public record Registration(
      String agentId, String token, AgentStatus status, Instant leaseExpiresAt, String coordinationEndpoint,
      AgentView agent) {}

  public record TokenView(String agentId, String token) {}

  public record HeartbeatView(String agentId, AgentStatus status, Instant leaseExpiresAt, long pendingAssignments) {}

  public record ReasonBody(String reason) {}

  /** The grants an operator sets (documented shape; read strictly below). */
  public record GrantsBody(Boolean coordinator) {}

  @POST
  @PermitAll
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Register an agent; the token is returned once")
  public Uni<Response> register(AgentRegistration body, @HeaderParam("X-Registration-Secret") String secret,
      @Context HttpServerRequest request) {
    if (body == null) {
      throw ApiException.validation("a JSON object body is required");
    }
    registrationLimits.admit(clientAddress.of(request));
    return agents.register(body, secret).map(r -> Response.status(201)
        .entity(new Registration(
            r.agent().agentId, r.token(), r.agent().status, r.agent().leaseExpiresAt,
            "/api/v1/agents/" + r.agent().agentId + "/assignments", AgentView.of(r.agent())))
        .build());
  }

  @POST
  @Path("{id}/heartbeat")
  @PermitAll
  @Operation(summary = "Renew the agent's lease (body ignored)")
  public Uni<HeartbeatView> heartbeat(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
    String token = AgentTokenMechanism.bearer(authorization);
    if (token == null) {
      throw ApiException.unauthorized("bearer token required");
    }
    if (!AgentRegistration.AGENT_ID.matcher(id).matches()) {
      throw ApiException.notFound("agent " + id); // never let a malformed id into the shared heartbeat batch
    }
    byte[] hash = AgentService.tokenHash(token);
    return heartbeats.beat(id, hash).flatMap(beat -> {
      if (beat != null) {
        return Uni.createFrom().item(new HeartbeatView(beat.agentId(), beat.status(), beat.leaseExpiresAt(), beat.pendingMessages()));
      }
      // Slow path, only for refusals: is the token someone else's (403) or nobody's (401)?
      return pool.preparedQuery("SELECT agent_id FROM agent WHERE token_hash = $1 AND status <> 'DEREGISTERED'")
          .execute(Tuple.of(Buffer.buffer(hash)))
          .map(rows -> {
            if (rows.size() == 0) {
              throw ApiException.unauthorized("missing or invalid credentials");
            }
            throw ApiException.forbidden("a token may only heartbeat its own agent");
          });
    });
  }

  @POST
  @Path("{id}/token")
  @Authenticated
  @Operation(summary = "Rotate an agent's token (operator); the new token is shown once")
  public Uni<TokenView> rotate(@PathParam("id") String id) {
    Caller c = Caller.of(identity);
    c.requireOperator();
    return agents.rotateToken(id, c.actor()).map(r -> new TokenView(r.agent().agentId, r.token()));
  }

  @PUT
  @Path("{id}/grants")
  @Authenticated
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Set an agent's grants (operator): {\"coordinator\": true|false}")
  public Uni<AgentView> grants(@PathParam("id") String id,
      @RequestBody(content = @Content(schema = @Schema(implementation = GrantsBody.class))) JsonNode body) {
    Caller c = Caller.of(identity);
    c.requireOperator();
    if (body == null || !body.isObject()) {
      throw ApiException.validation("a JSON object body is required");
    }
    JsonNode coordinator = body.get("coordinator");
    if (coordinator == null || !coordinator.isBoolean()) {
      throw ApiException.validation("coordinator (boolean) is required");
    }
    return agents.setCoordinator(id, coordinator.booleanValue(), c.actor()).map(AgentView::of);
  }

  @GET
  @Authenticated
  @Operation(summary = "List agents (operator/viewer), filter by status and capability")
  public Uni<Page<AgentView>> list(
      @QueryParam("status") String status,
      @QueryParam("capability") String capability,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    Caller.of(identity).requireStaff();
    AgentStatus s = Params.enumParam("status", status, AgentStatus.class);
    return agents.list(s, capability, PageRequest.of(page, size)).map(p -> p.map(AgentView::of));
  }

  @GET
  @Path("{id}")
  @Authenticated
  @Operation(summary = "An agent's detail (operator/viewer or the agent itself)")
  public Uni<AgentView> get(@PathParam("id") String id) {
    Caller.of(identity).requireAgentOrStaff(id);
    return agents.get(id).map(AgentView::of);
  }

  @DELETE
  @Path("{id}")
  @Authenticated
  @Operation(summary = "Deregister an agent (the agent or an operator); its id is never reused")
  public Uni<Response> deregister(@PathParam("id") String id) {
    Caller c = Caller.of(identity);
    c.requireAgentOrOperator(id);
    return agents.deregister(id, c.actor()).map(a -> Response.noContent().build());
  }

  @POST
  @Path("{id}/quarantine")
  @Authenticated
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Quarantine an agent by hand (operator)")
  public Uni<AgentView> quarantine(@PathParam("id") String id, ReasonBody body) {
    Caller c = Caller.of(identity);
    c.requireOperator();
    return agents.quarantine(id, c.actor(), reason(body)).map(AgentView::of);
  }

  @POST
  @Path("{id}/release")
  @Authenticated
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Release a quarantined agent (operator)")
  public Uni<AgentView> release(@PathParam("id") String id, ReasonBody body) {
    Caller c = Caller.of(identity);
    c.requireOperator();
    return agents.release(id, c.actor(), reason(body)).map(AgentView::of);
  }

  private static String reason(ReasonBody body) {
    if (body == null || body.reason() == null || body.reason().isBlank()) {
      throw ApiException.validation("reason is required");
    }
    if (body.reason().length() > 2000) {
      throw ApiException.validation("reason must be at most 2000 characters");
    }
    return body.reason();
  }
}
