package io.ares.console;

import io.ares.console.ConsoleViews.Confirm;
import io.ares.console.ConsoleViews.Field;
import io.ares.console.ConsoleViews.Option;
import io.ares.console.ConsoleViews.Paging;
import io.ares.console.ConsoleViews.SessionDetail;
import io.ares.console.ConsoleViews.SessionList;
import io.ares.platform.ApiException;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.Params;
import io.ares.session.Assignment;
import io.ares.session.AssignmentMachine;
import io.ares.session.AssignmentState;
import io.ares.session.SessionContext;
import io.ares.session.SessionEvent;
import io.ares.session.SessionMachine;
import io.ares.session.SessionService;
import io.ares.session.SessionState;
import io.ares.session.TimelineEvent;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Sessions: the filtered list, the detail page with its machines and timeline, and the operator's actions. */
@Path("/console")
@Authenticated
@Produces(MediaType.TEXT_HTML)
@Tag(name = "console")
public class SessionPages {

  static final int PAGE_SIZE = 25;
  static final int MAX_EVENTS = 500;
  static final int MAX_REASON = 2000;

  /** The "since" choices of the list's filter (an RFC 3339 time or a local date-time in UTC is accepted too). */
  static final Map<String, Duration> SINCE = new LinkedHashMap<>();

  static {
    SINCE.put("15m", Duration.ofMinutes(15));
    SINCE.put("1h", Duration.ofHours(1));
    SINCE.put("6h", Duration.ofHours(6));
    SINCE.put("24h", Duration.ofHours(24));
    SINCE.put("7d", Duration.ofDays(7));
  }

  static final StateMachineLayout SESSION_LAYOUT = StateMachineLayout.of(SessionMachine.TABLE);
  static final StateMachineLayout ASSIGNMENT_LAYOUT = StateMachineLayout.of(AssignmentMachine.TABLE);

  @Inject SecurityIdentity identity;
  @Inject SessionService sessions;
  @Inject ConsoleReads reads;
  @Inject Clock clock;

  // ------------------------------------------------------------------ list

  @GET
  @Path("sessions")
  @Operation(summary = "Console: sessions, filtered by state, agent and time, paged")
  public Uni<Response> list(@QueryParam("state") String state, @QueryParam("agent") String agent,
      @QueryParam("since") String since, @QueryParam("page") String page) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      Instant now = clock.instant();
      SessionState s = Params.enumParam("state", blank(state), SessionState.class);
      String agentId = blank(agent);
      Instant from = since(blank(since), now);
      int p = Math.max(0, Params.intParam("page", page, 0));
      return sessions.list(s, agentId, from, new PageRequest(p, PAGE_SIZE), user.caller())
          .flatMap(result -> Html.render(ConsoleTemplates.sessions(user, sessionList(result, s, agentId, since, now))));
    });
  }

  private SessionList sessionList(Page<SessionContext> result, SessionState state, String agent, String since,
      Instant now) {
    List<Option> states = new ArrayList<>();
    states.add(new Option("", "any state", state == null));
    for (SessionState s : SessionState.values()) {
      states.add(new Option(s.name(), s.name(), s == state));
    }
    List<Option> sinces = new ArrayList<>();
    String sinceValue = blank(since);
    sinces.add(new Option("", "any time", sinceValue == null));
    SINCE.keySet().forEach(k -> sinces.add(new Option(k, "last " + k, k.equals(sinceValue))));
    if (sinceValue != null && !SINCE.containsKey(sinceValue)) {
      sinces.add(new Option(sinceValue, "since " + sinceValue, true));
    }
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("state", state == null ? null : state.name());
    filters.put("agent", agent);
    filters.put("since", sinceValue);
    Paging paging = Paging.of(result.page(), result.size(), result.total(), p -> {
      Map<String, Object> q = new LinkedHashMap<>(filters);
      q.put("page", p == 0 ? null : p);
      return Fmt.url("/console/sessions", q);
    });
    return new SessionList(result.items().stream().map(c -> ConsoleViews.sessionRow(c, now)).toList(), paging,
        states, agent == null ? "" : agent, sinces, null, null);
  }

  /** "1h" and friends, an RFC 3339 timestamp, or a browser's local date-time (read as UTC). */
  static Instant since(String raw, Instant now) {
    if (raw == null) {
      return null;
    }
    Duration d = SINCE.get(raw);
    if (d != null) {
      return now.minus(d);
    }
    try {
      return OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(raw).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw ApiException.validation("since must be one of " + SINCE.keySet() + " or a timestamp like 2026-01-31T10:00Z");
      }
    }
  }

  static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  // ------------------------------------------------------------------ detail

  @GET
  @Path("sessions/{id}")
  @Operation(summary = "Console: one session, its state machines, assignments, compensations and timeline")
  public Uni<Response> detail(@PathParam("id") String id, @QueryParam("assignment") String focus,
      @QueryParam("done") String done) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load(user, id, focus, done)
        .flatMap(d -> Html.render(ConsoleTemplates.session(user, d))));
  }

  @GET
  @Path("fragments/sessions/{id}")
  @Operation(summary = "Console: the live part of a session's page (polled by htmx)")
  public Uni<Response> live(@PathParam("id") String id, @QueryParam("assignment") String focus) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> load(user, id, focus, null)
        .flatMap(d -> Html.render(ConsoleTemplates.session$live(d))));
  }

  Uni<SessionDetail> load(ConsoleUser user, String id, String focus, String done) {
    UUID sessionId = Params.pathUuid("session", id);
    return sessions.get(sessionId, user.caller()).flatMap(ctx ->
        sessions.events(sessionId, new PageRequest(0, MAX_EVENTS), user.caller()).flatMap(events ->
            reads.taskRollbacks(ctx.assignments.stream()
                    .filter(a -> AssignmentState.OWED.contains(a.state)).map(a -> a.taskId).toList())
                .map(rollbacks -> detail(ctx, events.items(), events.total(), rollbacks, focus, done))));
  }

  SessionDetail detail(SessionContext ctx, List<TimelineEvent> events, long eventsTotal,
      Map<String, List<ConsoleReads.TaskRollback>> rollbacks, String focus, String done) {
    Instant now = clock.instant();
    UUID sessionId = ctx.session.sessionId;
    String focused = ctx.assignments.stream().map(a -> a.assignmentId.toString())
        .filter(a -> a.equals(focus)).findFirst().orElse(null);

    Set<StateMachineLayout.Step> sessionPath = new LinkedHashSet<>();
    Set<StateMachineLayout.Step> assignmentPath = new LinkedHashSet<>();
    for (TimelineEvent e : events) {
      if (e.fromState == null) {
        continue;
      }
      if ("session".equals(e.entity)) {
        sessionPath.add(new StateMachineLayout.Step(e.fromState, e.toState));
      } else if (focused == null || focused.equals(String.valueOf(e.entityId))) {
        assignmentPath.add(new StateMachineLayout.Step(e.fromState, e.toState));
      }
    }
    Map<String, Integer> assignmentCounts = new HashMap<>();
    for (Assignment a : ctx.assignments) {
      if (focused == null || focused.equals(a.assignmentId.toString())) {
        assignmentCounts.merge(a.state.name(), 1, Integer::sum);
      }
    }
    var sessionMachine = SESSION_LAYOUT.draw("sm-session", Map.of(ctx.session.state.name(), 1), sessionPath);
    var assignmentMachine = ASSIGNMENT_LAYOUT.draw("sm-assignment", assignmentCounts, assignmentPath);

    String base = Fmt.sessionHref(sessionId);
    boolean live = !SessionMachine.TABLE.isTerminal(ctx.session.state);
    return new SessionDetail(
        ConsoleViews.sessionHead(ctx.session),
        sessionMachine,
        assignmentMachine,
        focused,
        focused == null ? null : focused.substring(0, 8),
        base + "#machines",
        ctx.assignments.stream().map(a -> ConsoleViews.assignmentRow(a, now, focused)).toList(),
        ConsoleViews.compensations(ctx, events, rollbacks),
        java.util.stream.IntStream.range(0, events.size())
            .mapToObj(i -> ConsoleViews.eventRow(events.get(i), i + 1, sessionId)).toList(),
        eventsTotal,
        live,
        Fmt.url("/console/fragments/sessions/" + sessionId, "assignment", focused),
        notice(done),
        SessionMachine.TABLE.allows(ctx.session.state, SessionEvent.CANCEL),
        SessionMachine.TABLE.allows(ctx.session.state, SessionEvent.RETRY_COMPENSATION),
        Fmt.time(now),
        RootCause.of(ctx.session, ctx.assignments, events),
        RootCause.cancelled(ctx.session.cause));
  }

  static String notice(String done) {
    if (done == null) {
      return null;
    }
    return switch (done) {
      case "cancelled" -> "The session was cancelled; its validated work is being compensated.";
      case "retried" -> "The failed compensations are being retried.";
      default -> null;
    };
  }

  // ------------------------------------------------------------------ whole values

  @GET
  @Path("sessions/{id}/input")
  @Operation(summary = "Console: a session's whole task input")
  public Uni<Response> input(@PathParam("id") String id) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> sessions.get(Params.pathUuid("session", id), user.caller())
        .flatMap(ctx -> Html.render(ConsoleTemplates.value(user,
            "Task input of session " + Fmt.shortId(ctx.session.sessionId), Fmt.sessionHref(ctx.session.sessionId),
            Fmt.text(ctx.session.task == null ? null : ctx.session.task.get("input"))))));
  }

  @GET
  @Path("sessions/{id}/assignments/{aid}/evidence")
  @Operation(summary = "Console: the whole evidence an assignment's agent submitted")
  public Uni<Response> evidence(@PathParam("id") String id, @PathParam("aid") String aid) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      UUID assignmentId = Params.pathUuid("assignment", aid);
      return sessions.get(Params.pathUuid("session", id), user.caller()).flatMap(ctx -> {
        Assignment a = ctx.find(assignmentId).orElseThrow(() -> ApiException.notFound("assignment " + aid));
        if (a.evidence == null) {
          throw ApiException.notFound("evidence of assignment " + aid);
        }
        return Html.render(ConsoleTemplates.value(user,
            "Evidence of assignment " + Fmt.shortId(a.assignmentId) + " (agent " + a.agentId + ")",
            Fmt.sessionHref(ctx.session.sessionId), Fmt.text(a.evidence)));
      });
    });
  }

  // ------------------------------------------------------------------ actions

  @POST
  @Path("sessions/{id}/cancel")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: cancel a session (operator, confirmed, with a reason)")
  public Uni<Response> cancel(@PathParam("id") String id, @FormParam("reason") String reason,
      @FormParam("confirmed") String confirmed, @Context HttpHeaders headers) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      user.requireOperator();
      UUID sessionId = Params.pathUuid("session", id);
      String href = Fmt.sessionHref(sessionId);
      String why = blank(reason);
      String error = why == null ? "A reason is required." : why.length() > MAX_REASON
          ? "The reason may have at most " + MAX_REASON + " characters." : null;
      if (error != null || !confirmed(confirmed, headers)) {
        Confirm c = new Confirm("Cancel session " + Fmt.shortId(sessionId),
            "Cancel session " + sessionId + "? Its open assignments are cancelled and every validated one is "
                + "compensated, newest first.",
            href + "/cancel", List.of(new Field("confirmed", "yes")), true, true, reason == null ? "" : reason,
            error, "Cancel the session", href, true);
        return Html.render(ConsoleTemplates.confirm(user, c), error != null && !Html.htmx(headers) ? 400 : 200);
      }
      return sessions.cancel(sessionId, why, user.caller())
          .map(ctx -> Html.redirectAfterPost(headers, href + "?done=cancelled"));
    });
  }

  @POST
  @Path("sessions/{id}/compensation/retry")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console: retry the failed compensations of a COMPENSATION_FAILED session (operator)")
  public Uni<Response> retry(@PathParam("id") String id, @FormParam("confirmed") String confirmed,
      @Context HttpHeaders headers) {
    ConsoleUser user = ConsoleUser.of(identity);
    return Html.page(user, () -> {
      user.requireOperator();
      UUID sessionId = Params.pathUuid("session", id);
      String href = Fmt.sessionHref(sessionId);
      if (!confirmed(confirmed, headers)) {
        Confirm c = new Confirm("Retry compensation of session " + Fmt.shortId(sessionId),
            "Send the failed compensation orders of session " + sessionId + " again?",
            href + "/compensation/retry", List.of(new Field("confirmed", "yes")), false, false, "", null,
            "Retry compensation", href, false);
        return Html.render(ConsoleTemplates.confirm(user, c));
      }
      return sessions.retryCompensation(sessionId, user.caller())
          .map(ctx -> Html.redirectAfterPost(headers, href + "?done=retried"));
    });
  }

  /** Confirmed by the second step's field, or by htmx's hx-confirm dialog (only htmx sends HX-Request). */
  static boolean confirmed(String field, HttpHeaders headers) {
    return "yes".equals(field) || Html.htmx(headers);
  }
}
