package io.ares.session.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.platform.ApiException;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.ares.session.SessionRequest;
import io.ares.session.SessionService;
import io.ares.session.SessionState;
import io.ares.session.rest.SessionViews.EventView;
import io.ares.session.rest.SessionViews.SessionView;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Coordination sessions (SPEC §3). Thin: parse, authorise, delegate to {@link SessionService}. */
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "sessions")
public class SessionResource {

  @Inject SessionService sessions;
  @Inject SecurityIdentity identity;

  /** Creation body (documented shape; the engine reads the JSON strictly itself). */
  public record CreateSessionBody(
      String coordinatorId, JsonNode task, java.util.List<String> agentIds, String capability, Integer count,
      Integer quorum, Integer deadlineSeconds) {}

  public record ReasonBody(String reason) {}

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a session (coordinator agent or operator); Idempotency-Key supported")
  public Uni<Response> create(
      @RequestBody(content = @org.eclipse.microprofile.openapi.annotations.media.Content(
          schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = CreateSessionBody.class)))
          JsonNode body,
      @HeaderParam("Idempotency-Key") String idempotencyKey) {
    Caller caller = Caller.of(identity);
    SessionRequest req = SessionRequest.parse(body);
    return sessions.create(req, body, idempotencyKey, caller)
        .map(c -> Response.status(c.isNew() ? 201 : 200).entity(SessionView.of(c.ctx())).build());
  }

  @GET
  @Operation(summary = "List sessions (filters state, agent_id, since); agents see their own")
  public Uni<Page<SessionView>> list(
      @QueryParam("state") String state,
      @QueryParam("agent_id") String agentId,
      @QueryParam("since") String since,
      @QueryParam("page") String page,
      @QueryParam("size") String size) {
    Caller caller = Caller.of(identity);
    return sessions.list(Params.enumParam("state", state, SessionState.class), agentId,
            Params.instantParam("since", since), PageRequest.of(page, size), caller)
        .map(p -> p.map(SessionView::of));
  }

  @GET
  @Path("{id}")
  @Operation(summary = "A session with its assignments")
  public Uni<SessionView> get(@PathParam("id") String id) {
    return sessions.get(Params.pathUuid("session", id), Caller.of(identity)).map(SessionView::of);
  }

  @GET
  @Path("{id}/events")
  @Operation(summary = "The session's timeline, oldest first")
  public Uni<Page<EventView>> events(
      @PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
    return sessions.events(Params.pathUuid("session", id), PageRequest.of(page, size), Caller.of(identity))
        .map(p -> p.map(EventView::of));
  }

  @POST
  @Path("{id}/cancel")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Cancel a session (coordinator or operator): it compensates")
  public Uni<SessionView> cancel(@PathParam("id") String id, ReasonBody body) {
    Caller caller = Caller.of(identity);
    String reason = body == null || body.reason() == null ? "cancelled" : body.reason();
    if (reason.length() > 2000) {
      throw ApiException.validation("reason must be at most 2000 characters");
    }
    return sessions.cancel(Params.pathUuid("session", id), reason, caller).map(SessionView::of);
  }

  /**
   * The same cancel sent with a body that is not JSON (a form, text/plain, none): the body is ignored, whatever its
   * content type (SPEC §3: a cancel without a reason ignores its body); a reason comes only as JSON.
   */
  @POST
  @Path("{id}/cancel")
  @Consumes(MediaType.WILDCARD)
  @Operation(hidden = true)
  public Uni<SessionView> cancelIgnoringBody(@PathParam("id") String id) {
    return sessions.cancel(Params.pathUuid("session", id), "cancelled", Caller.of(identity)).map(SessionView::of);
  }

  @POST
  @Path("{id}/compensation/retry")
  @Operation(summary = "Retry the failed compensations of a COMPENSATION_FAILED session (operator)")
  public Uni<SessionView> retryCompensation(@PathParam("id") String id) {
    return sessions.retryCompensation(Params.pathUuid("session", id), Caller.of(identity)).map(SessionView::of);
  }
}
