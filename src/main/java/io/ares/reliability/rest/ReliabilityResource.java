package io.ares.reliability.rest;

import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.ares.platform.security.Caller;
import io.ares.reliability.ReliabilityReport;
import io.ares.reliability.ReliabilityService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** An agent's reliability, incidents, score history and enforcement history (SPEC §3). The agent itself or staff. */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "reliability")
public class ReliabilityResource {

  static final int DEFAULT_HISTORY = 100;
  static final int MAX_HISTORY = 1000;

  @Inject ReliabilityService reliability;
  @Inject SecurityIdentity identity;

  @GET
  @Path("{id}/reliability")
  @Authenticated
  @Operation(summary = "The agent's reliability analysis: success rate, response-time trend, completion pattern, anomalies, score")
  public Uni<ReliabilityReport> reliability(@PathParam("id") String id) {
    Caller.of(identity).requireAgentOrStaff(id);
    return reliability.report(id);
  }

  @GET
  @Path("{id}/incidents")
  @Authenticated
  @Operation(summary = "The agent's incidents, newest first (paged)")
  public Uni<Page<IncidentView>> incidents(
      @PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
    Caller.of(identity).requireAgentOrStaff(id);
    return reliability.incidents(id, PageRequest.of(page, size)).map(p -> p.map(IncidentView::of));
  }

  @GET
  @Path("{id}/reliability/history")
  @Authenticated
  @Operation(summary = "The agent's newest score points (?limit, 1..1000, default 100), oldest first")
  public Uni<List<ScorePointView>> history(@PathParam("id") String id, @QueryParam("limit") String limit) {
    Caller.of(identity).requireAgentOrStaff(id);
    int n = Params.intParam("limit", limit, DEFAULT_HISTORY);
    if (n < 1 || n > MAX_HISTORY) {
      throw io.ares.platform.ApiException.validation("limit must be between 1 and " + MAX_HISTORY);
    }
    return reliability.scoreHistory(id, n).map(l -> l.stream().map(ScorePointView::of).toList());
  }

  @GET
  @Path("{id}/enforcement")
  @Authenticated
  @Operation(summary = "The agent's quarantines and releases with their rules and reasons, newest first (paged)")
  public Uni<Page<EnforcementActionView>> enforcement(
      @PathParam("id") String id, @QueryParam("page") String page, @QueryParam("size") String size) {
    Caller.of(identity).requireAgentOrStaff(id);
    return reliability.enforcementHistory(id, PageRequest.of(page, size)).map(p -> p.map(EnforcementActionView::of));
  }
}
