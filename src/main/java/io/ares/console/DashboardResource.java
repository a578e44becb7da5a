package io.ares.console;

import io.ares.agent.AgentStatus;
import io.ares.console.ConsoleViews.Count;
import io.ares.console.ConsoleViews.Dashboard;
import io.ares.session.SessionState;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The dashboard: counts by state and status, recent failures and rollbacks, the last hour's throughput. Rendered
 * from the {@link DashboardSnapshot} (no database work per request), with the snapshot's "as of" time.
 */
@Path("/console")
@Authenticated
@Produces(MediaType.TEXT_HTML)
@Tag(name = "console")
public class DashboardResource {

  @Inject SecurityIdentity identity;
  @Inject DashboardSnapshot snapshot;
  @Inject Clock clock;

  @GET
  @Operation(summary = "Console dashboard")
  public Uni<Response> dashboard() {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load().flatMap(d -> Html.render(ConsoleTemplates.dashboard(user, d))));
  }

  @GET
  @Path("fragments/dashboard")
  @Operation(summary = "The dashboard's live part (polled by htmx)")
  public Uni<Response> live() {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load().flatMap(d -> Html.render(ConsoleTemplates.dashboard$live(d))));
  }

  Uni<Dashboard> load() {
    return snapshot.current().map(s -> view(s, clock.instant()));
  }

  /** The page's view of a snapshot; only the "… ago" texts depend on the time of the request. */
  static Dashboard view(DashboardSnapshot.Snapshot s, Instant now) {
    return new Dashboard(
        counts(s.sessionsByState(), names(SessionState.values()), "/console/sessions", "state"),
        total(s.sessionsByState()),
        counts(s.agentsByStatus(), names(AgentStatus.values()), "/console/agents", "status"),
        total(s.agentsByStatus()),
        s.failures().stream().map(f -> ConsoleViews.failureRow(f, now)).toList(),
        s.rollbacks().stream().map(r -> ConsoleViews.rollbackRow(r, now)).toList(),
        Charts.throughput(s.throughput().buckets(s.asOf()), ThroughputWindow.BUCKET_MINUTES),
        Fmt.time(s.asOf()), Fmt.iso(s.asOf()), Fmt.ago(s.asOf(), now));
  }

  static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).toList();
  }

  static List<Count> counts(Map<String, Long> counts, List<String> keys, String path, String param) {
    List<Count> out = new ArrayList<>();
    ConsoleReads.complete(counts, keys).forEach((k, n) ->
        out.add(new Count(k, n, Fmt.url(path, param, k), ConsoleViews.css(k))));
    return out;
  }

  static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
