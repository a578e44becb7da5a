package io.ares.console;

import io.ares.agent.Agent;
import io.ares.agent.AgentEvent;
import io.ares.agent.AgentService;
import io.ares.agent.AgentStatus;
import io.ares.agent.AgentStatusEvent;
import io.ares.agent.AgentStatusMachine;
import io.ares.console.ConsoleViews.AgentDetail;
import io.ares.console.ConsoleViews.AgentList;
import io.ares.console.ConsoleViews.Confirm;
import io.ares.console.ConsoleViews.Field;
import io.ares.console.ConsoleViews.Option;
import io.ares.console.ConsoleViews.Paging;
import io.ares.platform.AresConfig;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Agents: the fleet list, the agent page, and quarantine / release / token rotation. */
@Path("/console")
@Authenticated
@Produces(MediaType.TEXT_HTML)
@Tag(name = "console")
public class AgentPages {

  static final int PAGE_SIZE = 50;
  static final int HISTORY = 25;
  static final StateMachineLayout STATUS_LAYOUT = StateMachineLayout.of(AgentStatusMachine.TABLE);

  @Inject SecurityIdentity identity;
  @Inject AgentService agents;
  @Inject ConsoleReads reads;
  @Inject AgentReliabilityView reliability;
  @Inject AresConfig config;
  @Inject Clock clock;

  // ------------------------------------------------------------------ list

  @GET
  @Path("agents")
  @Operation(summary = "Console: agents with status, time since last heartbeat and score; filters, paging")
  public Uni<Response> list(@QueryParam("status") String status, @QueryParam("capability") String capability,
      @QueryParam("page") String page) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> loadList(status, capability, page)
        .flatMap(l -> Html.render(ConsoleTemplates.agents(user, l))));
  }

  @GET
  @Path("fragments/agents")
  @Operation(summary = "Console: the live part of the agents list (polled by htmx)")
  public Uni<Response> listLive(@QueryParam("status") String status, @QueryParam("capability") String capability,
      @QueryParam("page") String page) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> loadList(status, capability, page)
        .flatMap(l -> Html.render(ConsoleTemplates.agents$live(l))));
  }

  Uni<AgentList> loadList(String status, String capability, String page) {
    AgentStatus s = Params.enumParam("status", SessionPages.blank(status), AgentStatus.class);
    String cap = SessionPages.blank(capability);
    int p = Math.max(0, Params.intParam("page", page, 0));
    return agents.list(s, cap, new PageRequest(p, PAGE_SIZE)).map(result -> agentList(result, s, cap));
  }

  private AgentList agentList(Page<Agent> result, AgentStatus status, String capability) {
    Instant now = clock.instant();
    double threshold = config.enforcement().quarantineBelow();
    List<Option> statuses = new ArrayList<>();
    statuses.add(new Option("", "any status", status == null));
    for (AgentStatus s : AgentStatus.values()) {
      statuses.add(new Option(s.name(), s.name(), s == status));
    }
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("status", status == null ? null : status.name());
    filters.put("capability", capability);
    Paging paging = Paging.of(result.page(), result.size(), result.total(), p -> {
      Map<String, Object> q = new LinkedHashMap<>(filters);
      q.put("page", p == 0 ? null : p);
      return Fmt.url("/console/agents", q);
    });
    Map<String, Object> live = new LinkedHashMap<>(filters);
    live.put("page", result.page() == 0 ? null : result.page());
    return new AgentList(result.items().stream().map(a -> ConsoleViews.agentRow(a, now, threshold)).toList(),
        paging, statuses, capability == null ? "" : capability, Fmt.url("/console/fragments/agents", live),
        Fmt.time(now));
  }

  // ------------------------------------------------------------------ detail

  @GET
  @Path("agents/{id}")
  @Operation(summary = "Console: one agent, its score history, incidents, enforcement and current work")
  public Uni<Response> detail(@PathParam("id") String id, @QueryParam("done") String done) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load(id, done).flatMap(d -> Html.render(ConsoleTemplates.agent(user, d))));
  }

  @GET
  @Path("fragments/agents/{id}")
  @Operation(summary = "Console: the live part of an agent's page (polled by htmx)")
  public Uni<Response> live(@PathParam("id") String id) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load(id, null).flatMap(d -> Html.render(ConsoleTemplates.agent$live(d))));
  }

  Uni<AgentDetail> load(String id, String done) {
    return agents.get(id).flatMap(agent -> reliability.report(agent, HISTORY).flatMap(report ->
        agents.statusHistory(id, HISTORY).flatMap(history ->
            reads.currentAssignments(id, HISTORY).map(current -> detail(agent, report, history, current, done)))));
  }

  AgentDetail detail(Agent agent, AgentReliabilityView.Report report, List<AgentStatusEvent> history,
      List<io.ares.session.Assignment> current, String done) {
    Instant now = clock.instant();
    double threshold = config.enforcement().quarantineBelow();
    Set<StateMachineLayout.Step> path = new LinkedHashSet<>();
    for (AgentStatusEvent e : history) {
      if (e.fromStatus != null && e.fromStatus != e.toStatus) {
        path.add(new StateMachineLayout.Step(e.fromStatus.name(), e.toStatus.name()));
      }
    }
    var machine = STATUS_LAYOUT.draw("sm-agent", Map.of(agent.status.name(), 1), path);
    return new AgentDetail(
        ConsoleViews.agentHead(agent, now, threshold,
            AgentStatusMachine.TABLE.allows(agent.status, AgentEvent.ENFORCE),
            agent.status == AgentStatus.QUARANTINED),
        machine,
        Charts.score(report.scores(), threshold),
        report.incidents().stream().map(ConsoleViews::incidentRow).toList(),
        report.incidentsTotal(),
        report.enforcement().stream().map(ConsoleViews::enforcementRow).toList(),
        history.stream().map(ConsoleViews::statusRow).toList(),
        current.stream().map(a -> ConsoleViews.agentAssignmentRow(a, now)).toList(),
        Fmt.url("/console/sessions", "agent", agent.agentId),
        "/console/fragments/agents/" + agent.agentId,
        notice(done),
        Fmt.time(now));
  }

  static String notice(String done) {
    if (done == null) {
      return null;
    }
    return switch (done) {
      case "quarantined" -> "The agent is quarantined: it receives no new work.";
      case "released" -> "The agent is released.";
      case "granted" -> "The agent may now create sessions.";
      case "revoked" -> "The agent may no longer create sessions; it still reads and cancels its own.";
      default -> null;
    };
  }

  // ------------------------------------------------------------------ actions

  @POST
  @Path("agents/{id}/quarantine")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: quarantine an agent by hand (operator, with a reason)")
  public Uni<Response> quarantine(@PathParam("id") String id, @FormParam("reason") String reason,
      @FormParam("confirmed") String confirmed, @Context HttpHeaders headers) {
    return enforce(id, reason, confirmed, headers, true);
  }

  @POST
  @Path("agents/{id}/release")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: release a quarantined agent (operator, with a reason)")
  public Uni<Response> release(@PathParam("id") String id, @FormParam("reason") String reason,
      @FormParam("confirmed") String confirmed, @Context HttpHeaders headers) {
    return enforce(id, reason, confirmed, headers, false);
  }

  private Uni<Response> enforce(String id, String reason, String confirmed, HttpHeaders headers, boolean quarantine) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      user.requireOperator();
      String href = Fmt.agentHref(id);
      String why = SessionPages.blank(reason);
      String error = why == null ? "A reason is required." : why.length() > SessionPages.MAX_REASON
          ? "The reason may have at most " + SessionPages.MAX_REASON + " characters." : null;
      return agents.get(id).flatMap(agent -> {
        if (error != null || !SessionPages.confirmed(confirmed, headers)) {
          String verb = quarantine ? "Quarantine" : "Release";
          Confirm c = new Confirm(verb + " agent " + agent.agentId,
              quarantine
                  ? "Quarantine agent " + agent.agentId + "? It gets no new work; its open assignments may finish."
                  : "Release agent " + agent.agentId + " from quarantine?",
              href + (quarantine ? "/quarantine" : "/release"), List.of(new Field("confirmed", "yes")), true, true,
              reason == null ? "" : reason, error, verb + " the agent", href, quarantine);
          return Html.render(ConsoleTemplates.confirm(user, c), error != null && !Html.htmx(headers) ? 400 : 200);
        }
        Uni<Agent> done = quarantine
            ? agents.quarantine(id, user.caller().actor(), why)
            : agents.release(id, user.caller().actor(), why);
        return done.map(a -> Html.redirectAfterPost(headers, href + "?done=" + (quarantine ? "quarantined" : "released")));
      });
    });
  }

  @POST
  @Path("agents/{id}/grants")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: grant or revoke the coordinator grant (operator)")
  public Uni<Response> grants(@PathParam("id") String id, @FormParam("coordinator") String coordinator,
      @Context HttpHeaders headers) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      user.requireOperator();
      if (!"true".equals(coordinator) && !"false".equals(coordinator)) {
        throw io.ares.platform.ApiException.validation("coordinator must be true or false");
      }
      boolean grant = "true".equals(coordinator);
      String href = Fmt.agentHref(id);
      return agents.setCoordinator(id, grant, user.caller().actor())
          .map(a -> Html.redirectAfterPost(headers, href + "?done=" + (grant ? "granted" : "revoked")));
    });
  }

  @POST
  @Path("agents/{id}/token")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: rotate an agent's token (operator); the new token is shown once")
  public Uni<Response> rotate(@PathParam("id") String id, @FormParam("confirmed") String confirmed) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      user.requireOperator();
      String href = Fmt.agentHref(id);
      if (!"yes".equals(confirmed)) {
        return agents.get(id).flatMap(agent -> Html.render(ConsoleTemplates.confirm(user, new Confirm(
            "Rotate the token of agent " + agent.agentId,
            "Issue a new token for agent " + agent.agentId + "? The current token stops working at once; the new "
                + "one is shown on the next page only.",
            href + "/token", List.of(new Field("confirmed", "yes")), false, false, "", null, "Rotate the token",
            href, true))));
      }
      CacheControl noStore = new CacheControl();
      noStore.setNoStore(true);
      return agents.rotateToken(id, user.caller().actor())
          .flatMap(r -> ConsoleTemplates.token(user, r.agent().agentId, href, r.token()).createUni())
          .map(html -> Response.ok(html, Html.TYPE).cacheControl(noStore).build());
    });
  }
}
