package io.ares.console;

import io.ares.agent.Agent;
import io.ares.agent.AgentStatus;
import io.ares.agent.AgentStatusEvent;
import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.ares.session.CoordinationSession;
import io.ares.session.SessionContext;
import io.ares.session.SessionState;
import io.ares.session.TimelineEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** What the templates show: flat, pre-formatted rows built from the domain. Every text here is escaped by Qute. */
public final class ConsoleViews {

  private ConsoleViews() {}

  /** A count on the dashboard, linking to the filtered list. */
  public record Count(String key, long count, String href, String css) {}

  public record Link(String text, String href) {}

  /** A page of a list with its navigation links. */
  public record Paging(int page, int pages, long total, String prevHref, String nextHref, int from, int to) {

    static Paging of(int page, int size, long total, java.util.function.IntFunction<String> href) {
      int pages = (int) Math.max(1, (total + size - 1) / size);
      int from = total == 0 ? 0 : page * size + 1;
      int to = (int) Math.min(total, (long) (page + 1) * size);
      return new Paging(page + 1, pages, total, page > 0 ? href.apply(page - 1) : null,
          page + 1 < pages ? href.apply(page + 1) : null, from, to);
    }
  }

  /** A select option of a filter. */
  public record Option(String value, String label, boolean selected) {}

  public static String css(String state) {
    return state == null ? "" : "st-" + state.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  // ------------------------------------------------------------------ sessions

  public record AgentChip(String agentId, String href, String state, String css) {}

  public record SessionRow(String sessionId, String shortId, String href, String state, String css,
      String coordinator, String coordinatorHref, String taskType, List<AgentChip> agents, int quorum,
      int participants, String created, String createdAgo, String updated, String cause) {}

  static SessionRow sessionRow(SessionContext ctx, Instant now) {
    CoordinationSession s = ctx.session;
    List<AgentChip> chips = ctx.assignments.stream()
        .map(a -> new AgentChip(a.agentId, Fmt.agentHref(a.agentId), a.state.name(), css(a.state.name())))
        .toList();
    return new SessionRow(s.sessionId.toString(), Fmt.shortId(s.sessionId), Fmt.sessionHref(s.sessionId),
        s.state.name(), css(s.state.name()), s.coordinatorId, coordinatorHref(s.coordinatorId), taskType(s),
        chips, s.quorum, s.participants, Fmt.time(s.createdAt), Fmt.ago(s.createdAt, now), Fmt.time(s.updatedAt),
        s.cause == null ? "" : s.cause);
  }

  static String coordinatorHref(String coordinatorId) {
    return coordinatorId == null || coordinatorId.contains(":") ? null : Fmt.agentHref(coordinatorId);
  }

  static String taskType(CoordinationSession s) {
    Object t = s.task == null ? null : s.task.get("type");
    return t == null ? "" : String.valueOf(t);
  }

  /** The session page's header. */
  public record SessionHead(String sessionId, String shortId, String state, String css, boolean open,
      String coordinator, String coordinatorHref, String taskType, int quorum, int participants, String capability,
      String deadline, String created, String updated, String ended, String cause, String causeDetail,
      Fmt.Preview input, String inputHref, Fmt.Preview criteria, String retry) {}

  static SessionHead sessionHead(CoordinationSession s) {
    Map<String, Object> task = s.task == null ? Map.of() : s.task;
    String href = Fmt.sessionHref(s.sessionId);
    return new SessionHead(s.sessionId.toString(), Fmt.shortId(s.sessionId), s.state.name(), css(s.state.name()),
        s.state.isOpen(), s.coordinatorId, coordinatorHref(s.coordinatorId), taskType(s), s.quorum, s.participants,
        s.capability, s.deadlineAt == null ? "none" : Fmt.time(s.deadlineAt), Fmt.time(s.createdAt),
        Fmt.time(s.updatedAt), s.endedAt == null ? "—" : Fmt.time(s.endedAt), s.cause, s.causeDetail,
        Fmt.preview(task.get("input")), href + "/input",
        Fmt.preview(Fmt.text(task.get("success_criteria")), 200),
        task.get("retry") == null ? "none" : Fmt.text(task.get("retry")).replaceAll("\\s+", " "));
  }

  /** An evidence verdict with every reason. */
  public record VerdictView(boolean overall, boolean proof, boolean completion, List<String> reasons, String time) {}

  @SuppressWarnings("unchecked")
  static VerdictView verdict(Map<String, Object> v) {
    if (v == null) {
      return null;
    }
    List<String> reasons = new ArrayList<>();
    if (v.get("reasons") instanceof List<?> l) {
      l.forEach(x -> reasons.add(String.valueOf(x)));
    }
    return new VerdictView(Boolean.TRUE.equals(v.get("overall_success")), Boolean.TRUE.equals(v.get("proof_valid")),
        Boolean.TRUE.equals(v.get("completion_valid")), reasons,
        v.get("verification_time_ms") == null ? "" : v.get("verification_time_ms") + " ms");
  }

  public record AssignmentRow(String assignmentId, String shortId, String agentId, String agentHref, String taskId,
      String state, String css, int attempt, int slot, String created, String delegated, String acked,
      String ended, String deadline, String failure, String replacedBy, VerdictView verdict, Fmt.Preview output,
      String evidenceHref, String pathHref, boolean focused) {}

  static AssignmentRow assignmentRow(Assignment a, Instant now, String focus) {
    String failure = a.failureCode == null ? "" : a.failureCode + (a.failureMessage == null ? "" : ": " + a.failureMessage);
    Object output = a.evidence == null ? null : a.evidence.get("output");
    String base = Fmt.sessionHref(a.sessionId);
    String deadline = a.state.isOpen() && a.currentDeadline() != null
        ? Fmt.time(a.currentDeadline()) + " (" + Fmt.ago(a.currentDeadline(), now) + ")" : "";
    return new AssignmentRow(a.assignmentId.toString(), Fmt.shortId(a.assignmentId), a.agentId,
        Fmt.agentHref(a.agentId), a.taskId, a.state.name(), css(a.state.name()), a.attempt, a.slot,
        Fmt.time(a.createdAt), Fmt.time(a.delegatedAt), Fmt.time(a.ackedAt), Fmt.time(a.endedAt), deadline,
        failure, a.replacedBy == null ? "" : Fmt.shortId(a.replacedBy), verdict(a.verdict),
        a.evidence == null ? null : Fmt.preview(output), base + "/assignments/" + a.assignmentId + "/evidence",
        Fmt.url(base, "assignment", a.assignmentId) + "#machines", a.assignmentId.toString().equals(focus));
  }

  /** One owed compensation, in the order the saga issues them (reverse order of validation). */
  public record CompensationRow(int position, String assignmentId, String shortId, String agentId, String agentHref,
      String state, String css, String key, int rounds, String ordered, String settled, String detail,
      String taskRollback) {}

  static List<CompensationRow> compensations(SessionContext ctx, List<TimelineEvent> events,
      Map<String, List<ConsoleReads.TaskRollback>> rollbacks) {
    List<Assignment> owed = ctx.assignments.stream()
        .filter(a -> AssignmentState.OWED.contains(a.state) && a.validationSeq != null)
        .sorted(Comparator.comparing((Assignment a) -> a.validationSeq).reversed())
        .toList();
    if (ctx.session.state == SessionState.COMPLETED || ctx.session.state.isOpen()) {
      return List.of();
    }
    List<CompensationRow> rows = new ArrayList<>();
    int i = 1;
    for (Assignment a : owed) {
      Instant ordered = null;
      Instant settled = null;
      for (TimelineEvent e : events) {
        if (!a.assignmentId.equals(e.entityId)) {
          continue;
        }
        if ("COMPENSATING".equals(e.toState) && ordered == null) {
          ordered = e.at;
        }
        if ("COMPENSATED".equals(e.toState) || "COMPENSATION_FAILED".equals(e.toState)) {
          settled = e.at;
        }
      }
      String state = a.state == AssignmentState.VALIDATED ? "waiting" : a.state.name();
      List<ConsoleReads.TaskRollback> rb = rollbacks.getOrDefault(a.taskId, List.of());
      String taskRollback = !rb.isEmpty()
          ? "to checkpoint " + Fmt.shortId(rb.get(rb.size() - 1).checkpointId()) + " at "
              + Fmt.time(rb.get(rb.size() - 1).at())
          : a.state == AssignmentState.COMPENSATED ? "no checkpoint: task left as it is" : "";
      rows.add(new CompensationRow(i++, a.assignmentId.toString(), Fmt.shortId(a.assignmentId), a.agentId,
          Fmt.agentHref(a.agentId), state, css(a.state.name()), a.compensationKey == null ? "—" : a.compensationKey,
          a.compensationRounds, Fmt.time(ordered), Fmt.time(settled),
          a.compensationDetail == null ? "" : a.compensationDetail, taskRollback));
    }
    return rows;
  }

  /**
   * A timeline row: {@code n} counts the session's events 1..n, oldest first; {@code seq} is the global event
   * sequence (shared by all sessions, so it has gaps), shown only as a detail.
   */
  public record EventRow(int n, long seq, String at, String entity, String entityHref, String from, String to,
      String toCss, String cause, String actor, Fmt.Preview detail) {}

  static EventRow eventRow(TimelineEvent e, int n, UUID sessionId) {
    boolean session = "session".equals(e.entity);
    String entity = session ? "session" : "assignment " + Fmt.shortId(e.entityId);
    String href = session ? null : Fmt.url(Fmt.sessionHref(sessionId), "assignment", e.entityId) + "#machines";
    return new EventRow(n, e.seq, Fmt.time(e.at), entity, href, e.fromState == null ? "—" : e.fromState, e.toState,
        css(e.toState), e.cause, e.actor, e.detail == null || e.detail.isEmpty() ? null : Fmt.preview(
            Fmt.text(e.detail).replaceAll("\\s+", " "), 160));
  }

  // ------------------------------------------------------------------ agents

  public record AgentRow(String agentId, String href, String name, String status, String css, String capabilities,
      String lastHeartbeat, String heartbeatAgo, boolean late, String score, boolean lowScore, int open, int max) {}

  static AgentRow agentRow(Agent a, Instant now, double threshold) {
    Instant last = a.lastHeartbeatAt != null ? a.lastHeartbeatAt : null;
    boolean late = a.status != AgentStatus.DEREGISTERED && a.leaseExpiresAt != null && a.leaseExpiresAt.isBefore(now);
    return new AgentRow(a.agentId, Fmt.agentHref(a.agentId), a.name, a.status.name(), css(a.status.name()),
        a.capabilities == null ? "" : String.join(", ", a.capabilities), Fmt.time(last), Fmt.ago(last, now), late,
        Fmt.score(a.reliabilityScore), a.reliabilityScore < threshold, a.openAssignments, a.maxConcurrentTasks);
  }

  public record AgentHead(String agentId, String href, String name, String status, String css,
      List<String> capabilities, int interval, int max, int open, List<String> proofs, Fmt.Preview metadata,
      String metadataFull, String registered, String lastHeartbeat, String heartbeatAgo, String lease, String leaseIn, boolean late,
      String score, boolean lowScore, String statusSince, boolean canQuarantine, boolean canRelease,
      boolean canRotate, boolean coordinator) {}

  static AgentHead agentHead(Agent a, Instant now, double threshold, boolean canQuarantine, boolean canRelease) {
    boolean late = a.status != AgentStatus.DEREGISTERED && a.leaseExpiresAt != null && a.leaseExpiresAt.isBefore(now);
    return new AgentHead(a.agentId, Fmt.agentHref(a.agentId), a.name, a.status.name(), css(a.status.name()),
        a.capabilities == null ? List.of() : List.of(a.capabilities), a.heartbeatIntervalSeconds,
        a.maxConcurrentTasks, a.openAssignments, a.proofRequirements == null ? List.of() : List.of(a.proofRequirements),
        Fmt.preview(Fmt.text(a.metadata == null ? Map.of() : a.metadata), 400),
        Fmt.text(a.metadata == null ? Map.of() : a.metadata), Fmt.time(a.registeredAt),
        Fmt.time(a.lastHeartbeatAt), Fmt.ago(a.lastHeartbeatAt, now), Fmt.time(a.leaseExpiresAt),
        Fmt.ago(a.leaseExpiresAt, now), late, Fmt.score(a.reliabilityScore), a.reliabilityScore < threshold,
        Fmt.ago(a.statusChangedAt, now), canQuarantine, canRelease, a.status != AgentStatus.DEREGISTERED,
        a.coordinator);
  }

  public record StatusRow(String at, String from, String to, String css, String cause, String actor, String reason) {}

  static StatusRow statusRow(AgentStatusEvent e) {
    return new StatusRow(Fmt.time(e.at), e.fromStatus == null ? "—" : e.fromStatus.name(), e.toStatus.name(),
        css(e.toStatus.name()), e.cause, e.actor, e.reason == null ? "" : e.reason);
  }

  /** An assignment on the agent page. */
  public record AgentAssignmentRow(String shortId, String sessionHref, String sessionShort, String taskId,
      String state, String css, int attempt, String created, String deadline, String failure) {}

  static AgentAssignmentRow agentAssignmentRow(Assignment a, Instant now) {
    String failure = a.failureCode != null ? a.failureCode + (a.failureMessage == null ? "" : ": " + a.failureMessage)
        : a.verdict != null && a.verdict.get("reasons") instanceof List<?> l && !l.isEmpty()
            ? String.join("; ", l.stream().map(String::valueOf).toList())
            : a.compensationDetail != null ? a.compensationDetail : "";
    String deadline = a.state.isOpen() && a.currentDeadline() != null ? Fmt.ago(a.currentDeadline(), now) : "";
    return new AgentAssignmentRow(Fmt.shortId(a.assignmentId), Fmt.sessionHref(a.sessionId), Fmt.shortId(a.sessionId),
        a.taskId, a.state.name(), css(a.state.name()), a.attempt, Fmt.time(a.createdAt), deadline, failure);
  }

  public record IncidentRow(String at, String code, String impact, boolean enforceable, String sessionHref,
      String sessionShort, String detail) {}

  static IncidentRow incidentRow(AgentReliabilityView.Incident i) {
    return new IncidentRow(Fmt.time(i.at()), i.code(), i.impact(), i.enforceable(),
        i.sessionId() == null ? null : Fmt.sessionHref(i.sessionId()),
        i.sessionId() == null ? "" : Fmt.shortId(i.sessionId()), i.detail() == null ? "" : i.detail());
  }

  public record EnforcementRow(String at, String action, String from, String to, String css, String rule,
      boolean automatic, String actor, String reason, String score) {}

  static EnforcementRow enforcementRow(AgentReliabilityView.Enforcement e) {
    return new EnforcementRow(Fmt.time(e.at()), e.action(), e.fromStatus() == null ? "—" : e.fromStatus(),
        e.toStatus() == null ? "" : e.toStatus(), css(e.toStatus()), e.rule() == null ? "" : e.rule(), e.automatic(),
        e.actor() == null ? "" : e.actor(), e.reason() == null ? "" : e.reason(), Fmt.score(e.score()));
  }

  // ------------------------------------------------------------------ dashboard

  /** A row of the dashboard's recent failures; {@code cancelled} marks a cancel, shown as such. */
  public record FailureRow(String href, String shortId, String state, String css, String cause, String detail,
      String coordinator, String when, String ago, String rootCause, boolean cancelled) {}

  static FailureRow failureRow(ConsoleReads.FailedSession f, Instant now) {
    return new FailureRow(Fmt.sessionHref(f.sessionId()), Fmt.shortId(f.sessionId()), f.state(), css(f.state()),
        f.cause() == null ? "" : f.cause(), f.causeDetail() == null ? "" : Fmt.preview(f.causeDetail(), 80).text(),
        f.coordinatorId(), Fmt.time(f.updatedAt()), Fmt.ago(f.updatedAt(), now),
        f.rootCause() == null ? "" : f.rootCause(), f.cancelled());
  }

  public record RollbackRow(String href, String sessionShort, String assignmentShort, String agentId,
      String agentHref, String outcome, String css, String key, String when, String ago) {}

  static RollbackRow rollbackRow(ConsoleReads.SettledCompensation c, Instant now) {
    return new RollbackRow(Fmt.sessionHref(c.sessionId()), Fmt.shortId(c.sessionId()), Fmt.shortId(c.assignmentId()),
        c.agentId(), Fmt.agentHref(c.agentId()), c.outcome(), css(c.outcome()), c.key() == null ? "" : c.key(),
        Fmt.time(c.at()), Fmt.ago(c.at(), now));
  }

  /** The dashboard's live part, as of the time its snapshot was read. */
  public record Dashboard(List<Count> sessions, long sessionsTotal, List<Count> agents, long agentsTotal,
      List<FailureRow> failures, List<RollbackRow> rollbacks, Charts.BarChart throughput, String asOf,
      String asOfIso, String asOfAgo) {}

  // ------------------------------------------------------------------ pages

  /** The sessions list with its filters. */
  public record SessionList(List<SessionRow> rows, Paging paging, List<Option> states, String agent,
      List<Option> sinces, String liveHref, String error) {}

  /** The session page. {@code live} marks a session whose state may still change (the page polls it). */
  public record SessionDetail(SessionHead head, StateMachineLayout.Diagram sessionMachine,
      StateMachineLayout.Diagram assignmentMachine, String focus, String focusShort, String clearFocusHref,
      List<AssignmentRow> assignments, List<CompensationRow> compensations, List<EventRow> events, long eventsTotal,
      boolean live, String liveHref, String notice, boolean canCancel, boolean canRetry, String updated,
      String rootCause, boolean cancelled) {}

  /** The agents list with its filters. */
  public record AgentList(List<AgentRow> rows, Paging paging, List<Option> statuses, String capability,
      String liveHref, String updated) {}

  /** The agent page. */
  public record AgentDetail(AgentHead head, StateMachineLayout.Diagram statusMachine, Charts.LineChart scores,
      List<IncidentRow> incidents, long incidentsTotal, List<EnforcementRow> enforcement,
      List<StatusRow> statusHistory, List<AgentAssignmentRow> current, String sessionsHref, String liveHref,
      String notice, String updated) {}

  /** A hidden form field carried through a confirmation step. */
  public record Field(String name, String value) {}

  /** The second step of an action when the first was sent without JavaScript. */
  public record Confirm(String title, String question, String action, List<Field> fields, boolean askReason,
      boolean reasonRequired, String reason, String error, String button, String backHref, boolean danger) {}
}
