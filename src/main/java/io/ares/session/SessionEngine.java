package io.ares.session;

import io.ares.agent.Agent;
import io.ares.agent.AgentStatus;
import io.ares.delivery.AgentMessage;
import io.ares.delivery.Outbox;
import io.ares.platform.AresConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The coordination rules of SPEC §2, applied to a locked {@link SessionContext} inside one transaction: every
 * state change goes through the transition tables and appends one event row. Callers own the transaction.
 */
@ApplicationScoped
public class SessionEngine {

  public static final String ENGINE = "ares";

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject Outbox outbox;
  @Inject MeterRegistry registry;
  @Inject SessionHooks hooks;

  // ------------------------------------------------------------------ loading

  /** Loads a session with a row lock (serialising writers of one session) and all its assignments. */
  public Uni<SessionContext> load(UUID sessionId) {
    return Panache.getSession()
        .flatMap(s -> s.find(CoordinationSession.class, sessionId, org.hibernate.LockMode.PESSIMISTIC_WRITE))
        .flatMap(session -> {
          if (session == null) {
            return Uni.createFrom().nullItem();
          }
          return Assignment.<Assignment>list("sessionId", sessionId).map(list -> new SessionContext(session, list));
        });
  }

  /** Everything a transaction produced that must leave with it: wake-ups, reliability, checkpoint rollbacks. */
  public Uni<Void> finish(SessionContext ctx) {
    // Reliability locks before the agents' rows (capacity), the order the reliability projector keeps.
    return hooks.lockOutcomes(ctx)
        .call(() -> releaseCapacity(ctx))
        .call(() -> hooks.afterTransitions(ctx))
        .call(() -> outbox.wake(ctx.wake));
  }

  // ------------------------------------------------------------------ transitions

  public Uni<Void> transition(SessionContext ctx, SessionEvent event, String cause, String actor, Map<String, Object> detail) {
    CoordinationSession s = ctx.session;
    SessionState from = s.state;
    SessionState to = SessionMachine.TABLE.next(from, event);
    Instant now = clock.instant();
    s.state = to;
    s.updatedAt = now;
    if (SessionMachine.TABLE.isTerminal(to) || to == SessionState.COMPENSATION_FAILED) {
      s.endedAt = now;
    }
    registry.counter("ares_transitions_total", "machine", "session", "to", to.name()).increment();
    return event(s.sessionId, "session", s.sessionId, from.name(), to.name(), cause, actor, detail);
  }

  public Uni<Void> transition(
      SessionContext ctx, Assignment a, AssignmentEvent event, String cause, String actor, Map<String, Object> detail) {
    AssignmentState from = a.state;
    AssignmentState to = AssignmentMachine.TABLE.next(from, event);
    Instant now = clock.instant();
    a.state = to;
    registry.counter("ares_transitions_total", "machine", "assignment", "to", to.name()).increment();
    Uni<Void> effects = Uni.createFrom().voidItem();
    if (from.isOpen() && !to.isOpen()) {
      a.endedAt = now;
      ctx.releases.add(a.agentId);
      effects = outbox.close(a.assignmentId, AgentMessage.DELEGATION).replaceWithVoid();
    }
    return effects.call(() -> event(a.sessionId, "assignment", a.assignmentId, from.name(), to.name(), cause, actor, detail));
  }

  private Uni<Void> event(UUID sessionId, String entity, UUID id, String from, String to, String cause, String actor,
      Map<String, Object> detail) {
    TimelineEvent e = new TimelineEvent();
    e.sessionId = sessionId;
    e.entity = entity;
    e.entityId = id;
    e.fromState = from;
    e.toState = to;
    e.cause = cause;
    e.actor = actor;
    e.at = clock.instant();
    e.detail = detail;
    return e.persist().replaceWithVoid();
  }

  /** Records the creation of a session or an assignment (from = null). */
  public Uni<Void> created(UUID sessionId, String entity, UUID id, String to, String cause, String actor,
      Map<String, Object> detail) {
    return event(sessionId, entity, id, null, to, cause, actor, detail);
  }

  // ------------------------------------------------------------------ capacity

  /** Takes one unit of an ACTIVE agent's capacity; false when it has none (guarded update, race-free). */
  public Uni<Boolean> reserveCapacity(String agentId) {
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "UPDATE agent SET open_assignments = open_assignments + 1 "
                    + "WHERE agent_id = :id AND status = 'ACTIVE' AND open_assignments < max_concurrent_tasks")
            .setParameter("id", agentId)
            .executeUpdate())
        .map(n -> n == 1);
  }

  /**
   * Gives back the capacity of the assignments this transaction closed, in one statement at the end of the
   * transaction, so the agents' rows are held from there to the commit only.
   */
  private Uni<Void> releaseCapacity(SessionContext ctx) {
    if (ctx.releases.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String[] ids = ctx.releases.toArray(String[]::new);
    ctx.releases.clear();
    boolean several = java.util.Arrays.stream(ids).distinct().count() > 1;
    // Several agents: their rows are locked in id order first, as everywhere else.
    Uni<?> lock = !several ? Uni.createFrom().voidItem() : Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT agent_id FROM agent WHERE agent_id = ANY(CAST(:ids AS varchar[])) ORDER BY agent_id "
                    + "FOR NO KEY UPDATE", String.class)
            .setParameter("ids", ids)
            .getResultList());
    return lock.flatMap(x -> Panache.getSession())
        .flatMap(s -> s.createNativeQuery(
                "UPDATE agent g SET open_assignments = greatest(g.open_assignments - c.n, 0) "
                    + "FROM (SELECT id, count(*) AS n FROM unnest(CAST(:ids AS varchar[])) AS id GROUP BY id) c "
                    + "WHERE g.agent_id = c.id")
            .setParameter("ids", ids)
            .executeUpdate())
        .replaceWithVoid();
  }

  // ------------------------------------------------------------------ assignments

  /** Creates a PENDING assignment for an agent whose capacity was reserved, with its delegation message. */
  public Uni<Assignment> newAssignment(SessionContext ctx, String agentId, int slot, int attempt, String actor) {
    Instant now = clock.instant();
    Assignment a = new Assignment();
    a.assignmentId = UUID.randomUUID();
    a.sessionId = ctx.session.sessionId;
    a.agentId = agentId;
    a.taskId = UUID.randomUUID().toString();
    a.state = AssignmentState.PENDING;
    a.attempt = attempt;
    a.slot = slot;
    a.createdAt = now;
    a.ackDeadline = now.plus(config.assignment().ackTimeout());
    ctx.assignments.add(a);
    ctx.wake.add(agentId);
    Map<String, Object> payload = messagePayload(ctx.session, a);
    payload.put("deadline", a.ackDeadline.toString());
    return a.<Assignment>persist()
        .call(() -> created(a.sessionId, "assignment", a.assignmentId, AssignmentState.PENDING.name(),
            attempt == 1 ? "CREATED" : "REPLACEMENT", actor, Map.of("agent_id", agentId, "attempt", attempt, "slot", slot)))
        .call(() -> outbox.enqueue(agentId, a.assignmentId, a.sessionId, AgentMessage.DELEGATION, payload, null));
  }

  static Map<String, Object> messagePayload(CoordinationSession s, Assignment a) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("assignment_id", a.assignmentId.toString());
    p.put("session_id", s.sessionId.toString());
    p.put("task_id", a.taskId);
    p.put("task", s.task);
    p.put("attempt", a.attempt);
    return p;
  }

  /** Completion timeout of the session's task (its own, else the configured default). */
  public Duration completionTimeout(CoordinationSession s) {
    Object v = s.task == null ? null : s.task.get("completion_timeout_seconds");
    return v instanceof Number n ? Duration.ofSeconds(n.longValue()) : config.assignment().completionTimeout();
  }

  @SuppressWarnings("unchecked")
  int maxAttempts(CoordinationSession s) {
    Object retry = s.task == null ? null : s.task.get("retry");
    if (retry instanceof Map<?, ?> m && m.get("max_attempts") instanceof Number n) {
      return n.intValue();
    }
    return 1;
  }

  Duration retryBackoff(CoordinationSession s) {
    Object retry = s.task == null ? null : s.task.get("retry");
    if (retry instanceof Map<?, ?> m && m.get("backoff_seconds") instanceof Number n) {
      return Duration.ofSeconds(n.longValue());
    }
    return Duration.ofSeconds(1);
  }

  /**
   * An assignment ended REJECTED, FAILED or TIMED_OUT: schedule its replacement when attempts are left, then
   * apply the quorum rule.
   */
  public Uni<Void> afterUnsuccessful(SessionContext ctx, Assignment a) {
    if (ctx.session.state.isOpen() && a.attempt < maxAttempts(ctx.session)) {
      a.retryDueAt = clock.instant().plus(retryBackoff(ctx.session));
    }
    return evaluate(ctx);
  }

  /** The quorum rule: COMPLETED at k VALIDATED; COMPENSATING as soon as k is out of reach. */
  public Uni<Void> evaluate(SessionContext ctx) {
    CoordinationSession s = ctx.session;
    if (!s.state.isOpen()) {
      return Uni.createFrom().voidItem();
    }
    long validated = ctx.count(AssignmentState.VALIDATED);
    if (validated >= s.quorum) {
      return complete(ctx);
    }
    long reachable = validated + ctx.openCount() + ctx.replacementsDue();
    if (reachable < s.quorum) {
      s.cause = "COORDINATION_FAILED";
      s.causeDetail = "quorum " + s.quorum + " unreachable: " + validated + " validated, " + ctx.openCount()
          + " open, " + ctx.replacementsDue() + " replacements due";
      if (!s.coordinatorId.startsWith("operator:")) {
        ctx.outcomes.add(new SessionContext.Outcome(s.coordinatorId, "COORDINATION_FAILED", null, s.sessionId, null,
            s.causeDetail));
      }
      return enterCompensating(ctx, SessionEvent.QUORUM_UNREACHABLE, "COORDINATION_FAILED", ENGINE,
          Map.of("reason", s.causeDetail));
    }
    return Uni.createFrom().voidItem();
  }

  private Uni<Void> complete(SessionContext ctx) {
    ctx.session.cause = "QUORUM_VALIDATED";
    return transition(ctx, SessionEvent.QUORUM_VALIDATED, "QUORUM_VALIDATED", ENGINE, null)
        .call(() -> cancelOpenWork(ctx, "SESSION_COMPLETED"));
  }

  /** Cancels open assignments (telling agents that had the task) and drops replacements still due. */
  private Uni<Void> cancelOpenWork(SessionContext ctx, String cause) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Assignment a : new ArrayList<>(ctx.assignments)) {
      if (a.retryDueAt != null && a.replacedBy == null) {
        a.retryDueAt = null;
      }
      if (a.state.isOpen()) {
        boolean told = a.state != AssignmentState.PENDING;
        chain = chain.call(() -> transition(ctx, a, AssignmentEvent.CANCEL, cause, ENGINE, null))
            .call(() -> told ? cancellationMessage(ctx, a) : Uni.createFrom().voidItem());
      }
    }
    return chain;
  }

  private Uni<Void> cancellationMessage(SessionContext ctx, Assignment a) {
    ctx.wake.add(a.agentId);
    Map<String, Object> payload = messagePayload(ctx.session, a);
    payload.put("reason", ctx.session.cause);
    if (ctx.session.causeDetail != null) {
      // The words behind the code: a cancel's own reason, the deadline that passed, the quorum left out of reach.
      payload.put("detail", ctx.session.causeDetail);
    }
    return outbox.enqueue(a.agentId, a.assignmentId, a.sessionId, AgentMessage.CANCELLATION, payload, null)
        .replaceWithVoid();
  }

  /** Leaves INITIALIZING/IN_PROGRESS for COMPENSATING (failure, cancel, deadline) and starts the compensations. */
  public Uni<Void> enterCompensating(SessionContext ctx, SessionEvent event, String cause, String actor,
      Map<String, Object> detail) {
    if (ctx.session.cause == null || event != SessionEvent.QUORUM_UNREACHABLE) {
      ctx.session.cause = cause;
    }
    return transition(ctx, event, cause, actor, detail)
        .call(() -> cancelOpenWork(ctx, "SESSION_" + cause))
        .call(() -> progressCompensation(ctx));
  }

  /**
   * Issues the next compensation order(s) — one at a time in reverse order of validation, or all at once when
   * {@code ares.compensation.parallel} — and settles the session when every owed compensation is settled.
   */
  public Uni<Void> progressCompensation(SessionContext ctx) {
    if (ctx.session.state != SessionState.COMPENSATING) {
      return Uni.createFrom().voidItem();
    }
    List<Assignment> toIssue = ctx.assignments.stream()
        .filter(a -> a.state == AssignmentState.VALIDATED
            || (a.state == AssignmentState.COMPENSATION_FAILED && a.compensationPending))
        .sorted(Comparator.comparing((Assignment a) -> a.validationSeq == null ? Long.MIN_VALUE : a.validationSeq)
            .reversed())
        .toList();
    boolean inFlight = ctx.assignments.stream().anyMatch(a -> a.state == AssignmentState.COMPENSATING);
    if (!toIssue.isEmpty()) {
      Uni<Void> chain = Uni.createFrom().voidItem();
      if (config.compensation().parallel()) {
        for (Assignment a : toIssue) {
          chain = chain.call(() -> issueCompensation(ctx, a));
        }
      } else if (!inFlight) {
        chain = issueCompensation(ctx, toIssue.get(0));
      } else {
        return chain;
      }
      // An order can fail at once (its agent is gone): then go on with the next, or settle.
      return chain.call(() -> ctx.assignments.stream().anyMatch(a -> a.state == AssignmentState.COMPENSATING)
          ? Uni.createFrom().voidItem()
          : progressCompensation(ctx));
    }
    if (inFlight) {
      return Uni.createFrom().voidItem();
    }
    boolean failures = ctx.assignments.stream().anyMatch(a -> a.state == AssignmentState.COMPENSATION_FAILED);
    return failures
        ? transition(ctx, SessionEvent.COMPENSATIONS_SETTLED_WITH_FAILURES, "COMPENSATION_FAILED", ENGINE, null)
        : transition(ctx, SessionEvent.COMPENSATIONS_SETTLED, "ROLLED_BACK", ENGINE, null);
  }

  private Uni<Void> issueCompensation(SessionContext ctx, Assignment a) {
    AssignmentEvent ev = a.state == AssignmentState.VALIDATED
        ? AssignmentEvent.ISSUE_COMPENSATION
        : AssignmentEvent.RETRY_COMPENSATION;
    a.compensationPending = false;
    a.compensationRounds++;
    a.compensationKey = "comp-" + a.assignmentId + "-" + a.compensationRounds;
    registry.counter("ares_compensations_total", "outcome", "ORDERED").increment();
    return transition(ctx, a, ev, "COMPENSATION_ORDERED", ENGINE, Map.of("idempotency_key", a.compensationKey))
        .flatMap(ignored -> Agent.<Agent>findById(a.agentId))
        .flatMap(agent -> {
          if (agent == null || agent.status == AgentStatus.DEREGISTERED) {
            return failCompensation(ctx, a, "agent deregistered", "AGENT_DEREGISTERED");
          }
          ctx.wake.add(a.agentId);
          Map<String, Object> payload = messagePayload(ctx.session, a);
          payload.put("idempotency_key", a.compensationKey);
          return outbox.enqueue(a.agentId, a.assignmentId, a.sessionId, AgentMessage.COMPENSATION, payload,
                  a.compensationKey)
              .replaceWithVoid();
        });
  }

  /** The agent confirmed its compensation (ok) or refused it; the next order proceeds either way. */
  public Uni<Void> confirmCompensation(SessionContext ctx, Assignment a, boolean ok, String detail, String actor) {
    a.compensationDetail = detail;
    Uni<Void> step;
    registry.counter("ares_compensations_total", "outcome", ok ? "COMPENSATED" : "COMPENSATION_FAILED").increment();
    if (ok) {
      a.compensatedAt = clock.instant();
      ctx.compensated.add(a);
      ctx.outcomes.add(new SessionContext.Outcome(a.agentId, "COMPENSATED", a.assignmentId, a.sessionId, null, detail));
      step = transition(ctx, a, AssignmentEvent.CONFIRM_COMPENSATED, "COMPENSATED", actor,
              detail == null ? null : Map.of("detail", detail))
          .call(() -> outbox.close(a.assignmentId, AgentMessage.COMPENSATION));
    } else {
      step = failCompensation(ctx, a, detail == null ? "agent reported the compensation failed" : detail,
          "AGENT_REPORTED_NOT_OK", actor);
    }
    return step.call(() -> progressCompensation(ctx));
  }

  /** COMPENSATING → COMPENSATION_FAILED by the engine (attempts exhausted or agent gone). */
  public Uni<Void> failCompensation(SessionContext ctx, Assignment a, String detail, String cause) {
    return failCompensation(ctx, a, detail, cause, ENGINE);
  }

  /** COMPENSATING → COMPENSATION_FAILED; {@code actor} is the agent when it refused the order itself. */
  public Uni<Void> failCompensation(SessionContext ctx, Assignment a, String detail, String cause, String actor) {
    if (!"AGENT_REPORTED_NOT_OK".equals(cause)) {
      registry.counter("ares_compensations_total", "outcome", "COMPENSATION_FAILED").increment();
    }
    ctx.outcomes.add(new SessionContext.Outcome(a.agentId, "COMPENSATION_FAILED", a.assignmentId, a.sessionId, null,
        detail));
    return transition(ctx, a, AssignmentEvent.COMPENSATION_FAILURE, cause, actor,
            detail == null ? null : Map.of("detail", detail))
        .call(() -> outbox.close(a.assignmentId, AgentMessage.COMPENSATION));
  }

  /** Ends an open assignment as TIMED_OUT (ack/completion timeout, agent unresponsive or deregistered). */
  public Uni<Void> timeOut(SessionContext ctx, Assignment a, String cause, boolean incident) {
    if (incident) {
      ctx.outcomes.add(new SessionContext.Outcome(a.agentId, "TASK_TIMEOUT", a.assignmentId, a.sessionId, null, cause));
    }
    return transition(ctx, a, AssignmentEvent.TIME_OUT, cause, ENGINE, null).call(() -> afterUnsuccessful(ctx, a));
  }

  /**
   * Creates the replacement for an unsuccessful assignment whose backoff passed, or gives up on it when nobody is
   * eligible; then applies the quorum rule.
   */
  public Uni<Void> replace(SessionContext ctx, Assignment failed) {
    if (failed.replacedBy != null || failed.retryDueAt == null) {
      return Uni.createFrom().voidItem();
    }
    if (!ctx.session.state.isOpen()) {
      failed.retryDueAt = null;
      return Uni.createFrom().voidItem();
    }
    return pickReplacementAgent(ctx, failed).flatMap(agentId -> {
      if (agentId == null) {
        failed.retryDueAt = null;
        return created(ctx.session.sessionId, "assignment", failed.assignmentId, failed.state.name(),
                "NO_REPLACEMENT", ENGINE, Map.of("reason", "no eligible agent"))
            .call(() -> evaluate(ctx));
      }
      return newAssignment(ctx, agentId, failed.slot, failed.attempt + 1, ENGINE).invoke(r -> {
        failed.replacedBy = r.assignmentId;
        failed.retryDueAt = null;
      }).replaceWithVoid();
    });
  }

  private Uni<String> pickReplacementAgent(SessionContext ctx, Assignment failed) {
    CoordinationSession s = ctx.session;
    if (!s.byCapability()) {
      return reserveCapacity(failed.agentId).map(ok -> ok ? failed.agentId : null);
    }
    List<String> exclude = new ArrayList<>();
    exclude.add(failed.agentId);
    ctx.inState(AssignmentState.OPEN).forEach(a -> exclude.add(a.agentId));
    return Agent.<Agent>find(
            "status = ?1 and array_contains(capabilities, ?2) and openAssignments < maxConcurrentTasks "
                + "and agentId not in ?3 order by reliabilityScore desc, agentId",
            AgentStatus.ACTIVE, s.capability, exclude)
        .page(0, 20).list()
        .flatMap(candidates -> firstReservable(candidates, 0));
  }

  private Uni<String> firstReservable(List<Agent> candidates, int i) {
    if (i >= candidates.size()) {
      return Uni.createFrom().nullItem();
    }
    String id = candidates.get(i).agentId;
    return reserveCapacity(id).flatMap(ok -> ok ? Uni.createFrom().item(id) : firstReservable(candidates, i + 1));
  }

  /** A reliability outcome for the record (written by the hooks when the transaction finishes). */
  void outcome(SessionContext ctx, String agentId, String kind, Assignment a, Long responseMs, String detail) {
    ctx.outcomes.add(new SessionContext.Outcome(agentId, kind, a == null ? null : a.assignmentId,
        ctx.session.sessionId, responseMs, detail));
  }
}
