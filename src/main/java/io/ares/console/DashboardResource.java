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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The dashboard: counts by state and status, recent failures and rollbacks, the last hour's throughput. */
@Path("/console")
@Authenticated
@Produces(MediaType.TEXT_HTML)
@Tag(name = "console")
public class DashboardResource {

  static final int BUCKET_MINUTES = 5;
  static final int BUCKETS = 12;
  static final int RECENT = 8;

  @Inject SecurityIdentity identity;
  @Inject ConsoleReads reads;
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

  /** Five independent reads, one after the other on the reactive pool (none waits on a thread). */
  Uni<Dashboard> load() {
    Instant now = clock.instant();
    Instant from = now.minus(Duration.ofMinutes((long) BUCKET_MINUTES * (BUCKETS - 1)));
    return reads.sessionsByState().flatMap(sessions -> reads.agentsByStatus().flatMap(agents ->
        reads.recentFailures(RECENT).flatMap(failures ->
            reads.recentRollbacks(now.minus(Duration.ofHours(24)), RECENT).flatMap(rollbacks ->
                reads.throughput(from, BUCKETS, BUCKET_MINUTES).map(buckets -> new Dashboard(
                    counts(sessions, names(SessionState.values()), "/console/sessions", "state"),
                    total(sessions),
                    counts(agents, names(AgentStatus.values()), "/console/agents", "status"),
                    total(agents),
                    failures.stream().map(f -> ConsoleViews.failureRow(f, now)).toList(),
                    rollbacks.stream().map(r -> ConsoleViews.rollbackRow(r, now)).toList(),
                    Charts.throughput(buckets, BUCKET_MINUTES),
                    Fmt.time(now)))))));
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
