package io.ares.session;

import io.ares.agent.Agent;
import io.ares.agent.AgentEvent;
import io.ares.agent.AgentService;
import io.ares.agent.AgentStatus;
import io.ares.delivery.AgentMessage;
import io.ares.platform.AresConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The per-row steps of the monitor's sweeps. Each runs in its own transaction, re-claims its row under a lock
 * ({@code FOR UPDATE SKIP LOCKED} or the session lock) and re-checks that it is still due, so two replicas
 * sweeping at once never do the same work twice.
 */
@ApplicationScoped
public class SessionSweeps {

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject SessionEngine engine;
  @Inject SessionService sessions;
  @Inject AgentService agents;
  @Inject MeterRegistry registry;
  @Inject SessionHooks hooks;

  // ---------------------------------------------------------------- expired leases

  public Uni<List<String>> expiredLeases(int limit) {
    return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
            "SELECT agent_id FROM agent WHERE status = 'ACTIVE' AND lease_expires_at <= :now "
                + "ORDER BY lease_expires_at LIMIT :n", String.class)
        .setParameter("now", clock.instant())
        .setParameter("n", limit)
        .getResultList()));
  }

  /** ACTIVE → UNRESPONSIVE (one AGENT_UNRESPONSIVE incident); returns whether this call did it. */
  public Uni<Boolean> markUnresponsive(String agentId) {
    Instant now = clock.instant();
    return sessions.tx(() -> Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT * FROM agent WHERE agent_id = :id AND status = 'ACTIVE' AND lease_expires_at <= :now "
                    + "FOR UPDATE SKIP LOCKED", Agent.class)
            .setParameter("id", agentId)
            .setParameter("now", now)
            .getSingleResultOrNull())
        .flatMap(agent -> {
          if (agent == null) {
            return Uni.createFrom().item(false);
          }
          Duration latency = Duration.between(agent.leaseExpiresAt, now);
          Timer.builder("ares_detection_latency_seconds")
              .description("Lease expiry to UNRESPONSIVE")
              .publishPercentileHistogram()
              .register(registry)
              .record(latency.isNegative() ? Duration.ZERO : latency);
          return agents.apply(agent, AgentEvent.LEASE_EXPIRED, "LEASE_EXPIRED", SessionEngine.ENGINE,
                  "no sign of life since " + agent.leaseExpiresAt)
              .call(a -> hooks.recordAgentOutcome(a.agentId, "AGENT_UNRESPONSIVE",
                  "lease expired at " + agent.leaseExpiresAt))
              .replaceWith(true);
        }));
  }

  // ---------------------------------------------------------------- assignments past their deadline

  /** Open assignments past their ack or completion deadline, or whose agent is UNRESPONSIVE. */
  public Uni<List<UUID>> dueAssignments(int limit) {
    return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
            "(SELECT session_id FROM assignment WHERE state IN ('PENDING','DELEGATED') AND ack_deadline <= :now "
                + "ORDER BY ack_deadline LIMIT :n) "
                + "UNION (SELECT session_id FROM assignment WHERE state = 'ACKNOWLEDGED' AND completion_deadline <= :now "
                + "ORDER BY completion_deadline LIMIT :n) "
                + "UNION (SELECT x.session_id FROM assignment x JOIN agent g ON g.agent_id = x.agent_id "
                + "WHERE x.state IN ('PENDING','DELEGATED','ACKNOWLEDGED') AND (g.status = 'UNRESPONSIVE' "
                + "OR (g.status = 'QUARANTINED' AND g.lease_expires_at <= :now)) LIMIT :n)",
            UUID.class)
        .setParameter("now", clock.instant())
        .setParameter("n", limit)
        .getResultList()));
  }

  /** Times out the due assignments of one session (TASK_TIMEOUT, or no incident when the agent went silent). */
  public Uni<Integer> timeOutAssignments(UUID sessionId) {
    Instant now = clock.instant();
    return sessions.tx(() -> engine.load(sessionId).flatMap(ctx -> {
      if (ctx == null) {
        return Uni.createFrom().item(0);
      }
      List<Assignment> open = ctx.assignments.stream().filter(a -> a.state.isOpen()).toList();
      if (open.isEmpty()) {
        return Uni.createFrom().item(0);
      }
      List<String> agentIds = open.stream().map(a -> a.agentId).distinct().toList();
      return Agent.<Agent>list("agentId in ?1", agentIds).flatMap(list -> {
        Map<String, AgentStatus> status = new java.util.HashMap<>();
        Map<String, Instant> lease = new java.util.HashMap<>();
        list.forEach(g -> {
          status.put(g.agentId, g.status);
          lease.put(g.agentId, g.leaseExpiresAt);
        });
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (Assignment a : open) {
          // Silent: UNRESPONSIVE, or quarantined (e.g. by the very lapse that made it unresponsive) with no lease.
          boolean silent = status.get(a.agentId) == AgentStatus.UNRESPONSIVE
              || (status.get(a.agentId) == AgentStatus.QUARANTINED && !lease.get(a.agentId).isAfter(now));
          Instant deadline = a.state == AssignmentState.ACKNOWLEDGED ? a.completionDeadline : a.ackDeadline;
          boolean late = deadline != null && !deadline.isAfter(now);
          if (silent || late) {
            String cause = silent ? "AGENT_UNRESPONSIVE"
                : a.state == AssignmentState.ACKNOWLEDGED ? "COMPLETION_TIMEOUT" : "ACK_TIMEOUT";
            chain = chain.flatMap(n -> a.state.isOpen()
                ? engine.timeOut(ctx, a, cause, !silent).replaceWith(n + 1)
                : Uni.createFrom().item(n));
          }
        }
        return chain.call(() -> engine.finish(ctx));
      });
    }));
  }

  // ---------------------------------------------------------------- session deadlines

  public Uni<List<UUID>> pastDeadline(int limit) {
    return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
            "SELECT session_id FROM coordination_session WHERE deadline_at IS NOT NULL AND deadline_at <= :now "
                + "AND state IN ('INITIALIZING','IN_PROGRESS') ORDER BY deadline_at LIMIT :n", UUID.class)
        .setParameter("now", clock.instant())
        .setParameter("n", limit)
        .getResultList()));
  }

  public Uni<Boolean> expire(UUID sessionId) {
    Instant now = clock.instant();
    return sessions.tx(() -> engine.load(sessionId).flatMap(ctx -> {
      if (ctx == null || !ctx.session.state.isOpen() || ctx.session.deadlineAt == null
          || ctx.session.deadlineAt.isAfter(now)) {
        return Uni.createFrom().item(false);
      }
      ctx.session.causeDetail = "deadline " + ctx.session.deadlineAt + " passed";
      return engine.enterCompensating(ctx, SessionEvent.DEADLINE_PASSED, "DEADLINE_PASSED", SessionEngine.ENGINE,
              Map.of("deadline_at", ctx.session.deadlineAt.toString()))
          .call(() -> engine.finish(ctx))
          .replaceWith(true);
    }));
  }

  // ---------------------------------------------------------------- replacements

  public Uni<List<UUID>> replacementsDue(int limit) {
    return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
            "SELECT DISTINCT session_id FROM (SELECT session_id FROM assignment WHERE retry_due_at IS NOT NULL "
                + "AND replaced_by IS NULL AND retry_due_at <= :now ORDER BY retry_due_at LIMIT :n) due", UUID.class)
        .setParameter("now", clock.instant())
        .setParameter("n", limit)
        .getResultList()));
  }

  public Uni<Integer> createReplacements(UUID sessionId) {
    Instant now = clock.instant();
    return sessions.tx(() -> engine.load(sessionId).flatMap(ctx -> {
      if (ctx == null) {
        return Uni.createFrom().item(0);
      }
      List<Assignment> due = ctx.assignments.stream()
          .filter(a -> a.retryDueAt != null && a.replacedBy == null && !a.retryDueAt.isAfter(now))
          .toList();
      Uni<Integer> chain = Uni.createFrom().item(0);
      for (Assignment a : due) {
        chain = chain.flatMap(n -> engine.replace(ctx, a).replaceWith(n + 1));
      }
      return chain.call(() -> engine.finish(ctx));
    }));
  }

  // ---------------------------------------------------------------- compensation attempts exhausted

  /**
   * Compensation orders that are settled by the monitor: delivered {@code max-attempts} times and unconfirmed past
   * the last window, or not collected at all for {@link #collectionWindow()} (their agent stays away, so deliveries
   * would never be counted and the session would wait forever).
   */
  public Uni<List<UUID>> exhaustedCompensations(int limit) {
    Instant now = clock.instant();
    return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
            "SELECT DISTINCT session_id FROM (SELECT session_id FROM agent_message WHERE open AND type = 'compensation' "
                + "AND ((deliveries >= :max AND due_at <= :now) OR coalesce(last_delivered_at, created_at) <= :stale) "
                + "ORDER BY due_at LIMIT :n) due", UUID.class)
        .setParameter("max", config.compensation().maxAttempts())
        .setParameter("now", now)
        .setParameter("stale", now.minus(collectionWindow()))
        .setParameter("n", limit)
        .getResultList()));
  }

  /**
   * How long an order may stay uncollected: max-attempts times the longest gap between two deliveries to an agent
   * that polls (confirm-timeout plus the last backoff) — far beyond anything a live agent sees.
   */
  Duration collectionWindow() {
    var c = config.compensation();
    Duration longestGap = c.confirmTimeout().plus(c.backoff().multipliedBy(1L << Math.min(20, c.maxAttempts() - 1)));
    return longestGap.multipliedBy(c.maxAttempts());
  }

  public Uni<Integer> failExhausted(UUID sessionId) {
    Instant now = clock.instant();
    int max = config.compensation().maxAttempts();
    return sessions.tx(() -> engine.load(sessionId).flatMap(ctx -> {
      if (ctx == null) {
        return Uni.createFrom().item(0);
      }
      Instant stale = now.minus(collectionWindow());
      // Locked, so an order a claim is delivering right now is re-read after it (and no longer due) or skipped.
      return AgentMessage.<AgentMessage>find(
              "sessionId = ?1 and open = true and type = ?2 and ((deliveries >= ?3 and dueAt <= ?4) "
                  + "or coalesce(lastDeliveredAt, createdAt) <= ?5)",
              sessionId, AgentMessage.COMPENSATION, max, now, stale)
          .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).list()
          .flatMap(msgs -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (AgentMessage m : msgs) {
              Assignment a = ctx.find(m.assignmentId).orElse(null);
              if (a == null || a.state != AssignmentState.COMPENSATING) {
                m.open = false;
                continue;
              }
              boolean exhausted = m.deliveries >= max;
              String detail = exhausted
                  ? "unconfirmed after " + m.deliveries + " deliveries"
                  : "not collected by its agent for " + collectionWindow().toSeconds() + " s (" + m.deliveries
                      + " deliveries)";
              chain = chain.flatMap(n -> engine.failCompensation(ctx, a, detail,
                      exhausted ? "ATTEMPTS_EXHAUSTED" : "ORDER_NOT_COLLECTED")
                  .call(() -> engine.progressCompensation(ctx))
                  .replaceWith(n + 1));
            }
            return chain.call(() -> engine.finish(ctx));
          });
    }));
  }
}
