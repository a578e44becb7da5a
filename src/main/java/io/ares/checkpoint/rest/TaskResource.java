package io.ares.checkpoint.rest;

import io.ares.checkpoint.CheckpointService;
import io.ares.checkpoint.CheckpointSummary;
import io.ares.checkpoint.Consistency;
import io.ares.checkpoint.TaskId;
import io.ares.checkpoint.rest.TaskViews.CheckpointDetail;
import io.ares.checkpoint.rest.TaskViews.CheckpointView;
import io.ares.checkpoint.rest.TaskViews.RollbackBody;
import io.ares.checkpoint.rest.TaskViews.RollbackView;
import io.ares.checkpoint.rest.TaskViews.SchemaBody;
import io.ares.checkpoint.rest.TaskViews.SchemaView;
import io.ares.checkpoint.rest.TaskViews.StateBody;
import io.ares.checkpoint.rest.TaskViews.StateView;
import io.ares.platform.ApiException;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Task state, validator, checkpoints, rollback and consistency (SPEC §2, §3). Thin: parse, delegate to
 * {@link CheckpointService} (which applies the ownership rules), map to the API model.
 */
@Path("/api/v1/tasks/{task_id}")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "tasks")
public class TaskResource {

  @Inject CheckpointService service;
  @Inject SecurityIdentity identity;

  @GET
  @Path("state")
  @Operation(summary = "A task's current state (its agent, operator or viewer); 404 when it has none")
  public Uni<StateView> state(@PathParam("task_id") String taskId) {
    return service.state(TaskId.fromPath(taskId), Caller.of(identity)).map(StateView::of);
  }

  @PUT
  @Path("state")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Replace a task's state, a JSON object (its agent or operator); 422 when the task's schema refuses it")
  public Uni<StateView> putState(@PathParam("task_id") String taskId, StateBody body) {
    String id = TaskId.fromPath(taskId);
    return service.putState(id, body == null ? null : body.state(), Caller.of(identity)).map(StateView::of);
  }

  @GET
  @Path("schema")
  @Operation(summary = "A task's validator, a JSON Schema; 404 when it has none")
  public Uni<SchemaView> schema(@PathParam("task_id") String taskId) {
    return service.schema(TaskId.fromPath(taskId), Caller.of(identity))
        .map(t -> SchemaView.of(t, CheckpointService.stateErrors(t)));
  }

  @PUT
  @Path("schema")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Set a task's validator, a JSON Schema draft 2020-12 (its agent or operator); 400 when invalid")
  public Uni<SchemaView> putSchema(@PathParam("task_id") String taskId, SchemaBody body) {
    String id = TaskId.fromPath(taskId);
    return service.putSchema(id, body == null ? null : body.schema(), Caller.of(identity))
        .map(t -> SchemaView.of(t, CheckpointService.stateErrors(t)));
  }

  @POST
  @Path("checkpoints")
  @Operation(summary = "Checkpoint a task's current state, chained by hash to the previous checkpoint (201); 200 with the"
      + " newest checkpoint when the state is identical to it (nothing stored); 404 without state; 429 RATE_LIMITED"
      + " with Retry-After past an agent's checkpoints or bytes per minute")
  public Uni<Response> checkpoint(@PathParam("task_id") String taskId) {
    String id = TaskId.fromPath(taskId);
    return service.checkpoint(id, Caller.of(identity)).map(taken -> {
      CheckpointSummary c = taken.checkpoint();
      URI location = URI.create("/api/v1/tasks/" + id + "/checkpoints/" + c.checkpointId());
      return (taken.created() ? Response.created(location) : Response.ok().location(location))
          .entity(CheckpointView.of(c))
          .build();
    });
  }

  @GET
  @Path("checkpoints")
  @Operation(summary = "A task's checkpoints, oldest first, paged (without their states)")
  public Uni<Page<CheckpointView>> checkpoints(
      @PathParam("task_id") String taskId, @QueryParam("page") String page, @QueryParam("size") String size) {
    String id = TaskId.fromPath(taskId);
    return service.checkpoints(id, PageRequest.of(page, size), Caller.of(identity)).map(p -> p.map(CheckpointView::of));
  }

  @GET
  @Path("checkpoints/{checkpoint_id}")
  @Operation(summary = "One checkpoint of a task, with the state it holds")
  public Uni<CheckpointDetail> checkpoint(
      @PathParam("task_id") String taskId, @PathParam("checkpoint_id") String checkpointId) {
    String id = TaskId.fromPath(taskId);
    UUID cid = Params.pathUuid("checkpoint", checkpointId);
    return service.checkpointDetail(id, cid, Caller.of(identity)).map(CheckpointDetail::of);
  }

  @POST
  @Path("rollback")
  @Operation(summary = "Restore the newest (or a named) checkpoint after validating it; 409 CHECKPOINT_INVALID with the reason")
  public Uni<RollbackView> rollback(@PathParam("task_id") String taskId, RollbackBody body) {
    String id = TaskId.fromPath(taskId);
    UUID checkpointId = null;
    String reason = null;
    if (body != null) {
      if (body.checkpointId() != null) {
        try {
          checkpointId = UUID.fromString(body.checkpointId());
        } catch (IllegalArgumentException e) {
          throw ApiException.validation("checkpoint_id must be a UUID");
        }
      }
      reason = body.reason();
      if (reason != null && reason.length() > CheckpointService.MAX_REASON) {
        throw ApiException.validation("reason must be at most " + CheckpointService.MAX_REASON + " characters");
      }
    }
    return service.rollback(id, checkpointId, reason, Caller.of(identity)).map(RollbackView::of);
  }

  @GET
  @Path("rollbacks")
  @Operation(summary = "A task's rollback history, newest first, paged")
  public Uni<Page<RollbackView>> rollbacks(
      @PathParam("task_id") String taskId, @QueryParam("page") String page, @QueryParam("size") String size) {
    String id = TaskId.fromPath(taskId);
    return service.rollbacks(id, PageRequest.of(page, size), Caller.of(identity)).map(p -> p.map(RollbackView::of));
  }

  @GET
  @Path("consistency")
  @Operation(summary = "Whether the current state matches the latest checkpoint event, and whether the chain is intact")
  public Uni<Consistency> consistency(@PathParam("task_id") String taskId) {
    return service.consistency(TaskId.fromPath(taskId), Caller.of(identity));
  }
}
