package io.ares.session.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.platform.ApiException;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.ares.session.SessionService;
import io.ares.session.rest.SessionViews.AssignmentView;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The agent's calls on its assignments (SPEC §3). */
@Path("/api/v1/assignments/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "assignments")
public class AssignmentResource {

  @Inject SessionService sessions;
  @Inject SecurityIdentity identity;

  public record FailureBody(String code, String message) {}

  public record CompensatedBody(Boolean ok, String detail) {}

  /** Evidence as agents send it (documented shape; validated strictly by the engine). */
  public record EvidenceBody(String taskId, String completionTime, JsonNode output, String checksum,
      Map<String, Double> metrics) {}

  @POST
  @Path("ack")
  @Operation(summary = "Acknowledge a delegated assignment")
  public Uni<AssignmentView> ack(@PathParam("id") String id) {
    return sessions.ack(Params.pathUuid("assignment", id), Caller.of(identity)).map(AssignmentView::of);
  }

  @POST
  @Path("evidence")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Submit evidence; answers the verdict")
  public Uni<Map<String, Object>> evidence(
      @PathParam("id") String id,
      @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(content =
          @org.eclipse.microprofile.openapi.annotations.media.Content(schema =
              @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = EvidenceBody.class)))
          JsonNode body) {
    Caller caller = Caller.of(identity);
    return sessions.evidence(Params.pathUuid("assignment", id), body, caller);
  }

  @POST
  @Path("failure")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Report that the agent cannot do the task")
  public Uni<AssignmentView> failure(@PathParam("id") String id, FailureBody body) {
    if (body == null || body.code() == null || body.code().isBlank() || body.code().length() > 64) {
      throw ApiException.validation("code is required (1..64 characters)");
    }
    if (body.message() != null && body.message().length() > 4000) {
      throw ApiException.validation("message must be at most 4000 characters");
    }
    return sessions.failure(Params.pathUuid("assignment", id), body.code(), body.message(), Caller.of(identity))
        .map(AssignmentView::of);
  }

  @POST
  @Path("compensated")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Confirm (ok true) or refuse (ok false) a compensation order")
  public Uni<AssignmentView> compensated(@PathParam("id") String id, CompensatedBody body) {
    if (body == null || body.ok() == null) {
      throw ApiException.validation("ok (boolean) is required");
    }
    if (body.detail() != null && body.detail().length() > 4000) {
      throw ApiException.validation("detail must be at most 4000 characters");
    }
    return sessions.compensated(Params.pathUuid("assignment", id), body.ok(), body.detail(), Caller.of(identity))
        .map(AssignmentView::of);
  }
}
