package io.ares.session.rest;

import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.ares.session.SessionContext;
import io.ares.session.SessionState;
import io.ares.session.TimelineEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The API shapes of sessions, assignments and events (snake_case on the wire). */
public final class SessionViews {

  private SessionViews() {}

  public record AssignmentView(
      String assignmentId,
      String sessionId,
      String agentId,
      String taskId,
      AssignmentState state,
      int attempt,
      int slot,
      Instant createdAt,
      Instant delegatedAt,
      Instant ackedAt,
      Instant validatedAt,
      Instant endedAt,
      Instant deadline,
      Map<String, Object> verdict,
      String failureCode,
      String compensationKey,
      String replacedBy) {

    public static AssignmentView of(Assignment a) {
      return new AssignmentView(
          a.assignmentId.toString(), a.sessionId.toString(), a.agentId, a.taskId, a.state, a.attempt, a.slot,
          a.createdAt, a.delegatedAt, a.ackedAt, a.validatedAt, a.endedAt,
          a.state.isOpen() ? a.currentDeadline() : null, a.verdict, a.failureCode, a.compensationKey,
          a.replacedBy == null ? null : a.replacedBy.toString());
    }
  }

  public record SessionView(
      String sessionId,
      SessionState state,
      String coordinatorId,
      Map<String, Object> task,
      int quorum,
      int participants,
      String capability,
      Instant deadlineAt,
      String cause,
      String causeDetail,
      List<AssignmentView> assignments,
      Instant createdAt,
      Instant updatedAt) {

    public static SessionView of(SessionContext ctx) {
      var s = ctx.session;
      return new SessionView(
          s.sessionId.toString(), s.state, s.coordinatorId, s.task, s.quorum, s.participants, s.capability,
          s.deadlineAt, s.cause, s.causeDetail,
          ctx.assignments.stream().map(AssignmentView::of).toList(), s.createdAt, s.updatedAt);
    }
  }

  public record EventView(
      long seq, String entity, String entityId, String from, String to, String cause, String actor, Instant at,
      Map<String, Object> detail) {

    public static EventView of(TimelineEvent e) {
      return new EventView(e.seq, e.entity, e.entityId.toString(), e.fromState, e.toState, e.cause, e.actor, e.at,
          e.detail);
    }
  }
}
