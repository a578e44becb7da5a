package io.ares.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.agent.Agent;
import io.ares.delivery.Outbox;
import io.ares.evidence.EvidenceValidator;
import io.ares.evidence.Verdict;
import io.ares.platform.ApiException;
import io.ares.platform.Hashing;
import io.ares.platform.Page;
import io.ares.platform.Transactions;
import io.ares.platform.PageRequest;
import io.ares.platform.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Use cases of coordination sessions and their assignments; each is one transaction over a locked session. */
@ApplicationScoped
public class SessionService {

  static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  @Inject Clock clock;
  @Inject io.ares.platform.AresConfig config;
  @Inject io.ares.agent.AgentService agents;
  @Inject SessionEngine engine;
  @Inject DirectTransitions directTransitions;
  @Inject DirectCreation direct;
  @Inject DirectEvidence directEvidence;
  @Inject Outbox outbox;
  @Inject MeterRegistry registry;
  @Inject io.vertx.core.Vertx vertx;
  @Inject com.fasterxml.jackson.databind.ObjectMapper json;

  /** A created (or idempotently found) session. */
  public record Created(SessionContext ctx, boolean isNew) {}

  /** Runs work in a fresh transaction, retried when it lost a race (see {@link Transactions}). */
  <T> Uni<T> tx(Supplier<Uni<T>> work) {
    return Transactions.retrying(vertx, work);
  }

  // ------------------------------------------------------------------ sessions

  public Uni<Created> create(SessionRequest req, JsonNode rawBody, String idempotencyKey, Caller caller) {
    String coordinator = coordinatorFor(req, caller);
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
      throw ApiException.validation("Idempotency-Key must be 1..200 characters");
    }
    req.requireCompletionTimeoutAtLeast(config.assignment().minCompletionTimeout());
    if (caller.agent()) {
      // Only creation needs the grant: a coordinator whose grant was revoked still reads and cancels its sessions.
      // Checked before anything else is read, so an agent without it learns nothing about other agents.
      return agents.isCoordinator(caller.name()).flatMap(granted -> {
        if (!granted) {
          return Uni.createFrom().failure(ApiException.forbidden(
              "agent " + caller.name() + " has no coordinator grant (an operator grants it: PUT /api/v1/agents/"
                  + caller.name() + "/grants)"));
        }
        return createGranted(req, rawBody, idempotencyKey, caller, coordinator);
      });
    }
    return createGranted(req, rawBody, idempotencyKey, caller, coordinator);
  }

  private Uni<Created> createGranted(SessionRequest req, JsonNode rawBody, String idempotencyKey, Caller caller,
      String coordinator) {
    String requestHash = Hashing.canonicalHash(rawBody);
    if (idempotencyKey == null) {
      return direct.create(req, coordinator, null, requestHash, caller).map(ctx -> new Created(ctx, true));
    }
    // A key seen before answers through the entities (first session, conflict or expiry); a new one is created
    // directly, and a concurrent twin that inserted the same key first is then found by that same path.
    return tx(() -> findIdempotent(coordinator, idempotencyKey, requestHash))
        .flatMap(found -> found != null
            ? Uni.createFrom().item(new Created(found, false))
            : direct.create(req, coordinator, idempotencyKey, requestHash, caller).map(ctx -> new Created(ctx, true))
                // A concurrent twin with the same key may have won: by inserting the key first, or by taking the
                // participants first (422). Answer as if it had come first when it exists, else keep the failure.
                .onFailure(e -> DirectCreation.duplicateKey(e) || e instanceof ApiException a && a.status() == 422)
                .recoverWithUni(e -> tx(() -> findIdempotent(coordinator, idempotencyKey, requestHash))
                    .flatMap(twin -> twin != null
                        ? Uni.createFrom().item(new Created(twin, false))
                        : Uni.createFrom().failure(e))));
  }

  private String coordinatorFor(SessionRequest req, Caller caller) {
    if (caller.agent()) {
      if (req.coordinatorId() != null && !req.coordinatorId().equals(caller.name())) {
        throw ApiException.forbidden("an agent may only coordinate as itself");
      }
      return caller.name();
    }
    caller.requireOperator();
    return req.coordinatorId() != null ? req.coordinatorId() : "operator:" + caller.name();
  }

  private Uni<SessionContext> findIdempotent(String coordinator, String key, String hash) {
    if (key == null) {
      return Uni.createFrom().nullItem();
    }
    return CoordinationSession.<CoordinationSession>find("coordinatorId = ?1 and idempotencyKey = ?2", coordinator, key)
        .firstResult()
        .flatMap(s -> {
          if (s == null) {
            return Uni.createFrom().nullItem();
          }
          if (s.createdAt.plus(IDEMPOTENCY_WINDOW).isBefore(clock.instant())) {
            s.idempotencyKey = null; // expired: the key may be used again
            return Panache.getSession().flatMap(x -> x.flush()).replaceWith((SessionContext) null);
          }
          if (!hash.equals(s.requestHash)) {
            return Uni.createFrom().failure(new ApiException(409, "IDEMPOTENCY_CONFLICT",
                "Idempotency-Key " + key + " was used with a different body"));
          }
          return Assignment.<Assignment>list("sessionId", s.sessionId).map(list -> new SessionContext(s, list));
        });
  }

  // ------------------------------------------------------------------ reading

  /** A session and its assignments, if the caller may see it (coordinator, participant, operator, viewer). */
  public Uni<SessionContext> get(UUID sessionId, Caller caller) {
    return Panache.withSession(() -> CoordinationSession.<CoordinationSession>findById(sessionId)
        .flatMap(s -> {
          if (s == null) {
            return Uni.createFrom().failure(ApiException.notFound("session " + sessionId));
          }
          return Assignment.<Assignment>list("sessionId", sessionId).map(list -> new SessionContext(s, list));
        }))
        .invoke(ctx -> requireVisible(ctx, caller));
  }

  static void requireVisible(SessionContext ctx, Caller caller) {
    if (caller.operator() || caller.viewer()) {
      return;
    }
    if (caller.agent() && (ctx.session.coordinatorId.equals(caller.name())
        || ctx.assignments.stream().anyMatch(a -> a.agentId.equals(caller.name())))) {
      return;
    }
    throw ApiException.forbidden("only the coordinator, its participants and operators may see this session");
  }

  /** Sessions, newest first, with their assignments (one query for the page's assignments: no N+1). */
  public Uni<Page<SessionContext>> list(SessionState state, String agentId, Instant since, PageRequest page, Caller caller) {
    List<String> where = new ArrayList<>();
    Parameters p = new Parameters();
    if (state != null) {
      where.add("s.state = :state");
      p.and("state", state);
    }
    if (agentId != null) {
      where.add("exists (select 1 from Assignment a where a.sessionId = s.sessionId and a.agentId = :agent)");
      p.and("agent", agentId);
    }
    if (since != null) {
      where.add("s.createdAt >= :since");
      p.and("since", since);
    }
    if (!caller.operator() && !caller.viewer()) {
      where.add("(s.coordinatorId = :me or exists (select 1 from Assignment m where m.sessionId = s.sessionId "
          + "and m.agentId = :me))");
      p.and("me", caller.name());
    }
    String q = "from CoordinationSession s" + (where.isEmpty() ? "" : " where " + String.join(" and ", where));
    return Panache.withSession(() -> {
      var query = CoordinationSession.<CoordinationSession>find(q + " order by s.createdAt desc, s.sessionId", p);
      return query.page(page.page(), page.size()).list()
          .flatMap(sessions -> CoordinationSession.count("select count(s) " + q, p).flatMap(total -> {
            List<UUID> ids = sessions.stream().map(x -> x.sessionId).toList();
            Uni<List<Assignment>> as = ids.isEmpty()
                ? Uni.createFrom().item(List.of())
                : Assignment.<Assignment>list("sessionId in ?1", ids);
            return as.map(all -> {
              Map<UUID, List<Assignment>> bySession = all.stream().collect(Collectors.groupingBy(a -> a.sessionId));
              List<SessionContext> items = sessions.stream()
                  .map(x -> new SessionContext(x, bySession.getOrDefault(x.sessionId, List.of())))
                  .toList();
              return new Page<>(items, page.page(), page.size(), total);
            });
          }));
    });
  }

  public Uni<Page<TimelineEvent>> events(UUID sessionId, PageRequest page, Caller caller) {
    return get(sessionId, caller).flatMap(ctx -> Panache.withSession(() -> {
      var q = TimelineEvent.<TimelineEvent>find("sessionId = ?1 order by seq", sessionId);
      return q.page(page.page(), page.size()).list()
          .flatMap(items -> q.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
    }));
  }

  // ------------------------------------------------------------------ steering

  public Uni<SessionContext> cancel(UUID sessionId, String reason, Caller caller) {
    return tx(() -> lockedSession(sessionId).flatMap(ctx -> {
      if (!caller.operator() && !(caller.agent() && ctx.session.coordinatorId.equals(caller.name()))) {
        return Uni.createFrom().failure(ApiException.forbidden("only the coordinator or an operator may cancel"));
      }
      SessionMachine.TABLE.next(ctx.session.state, SessionEvent.CANCEL);
      ctx.session.causeDetail = reason;
      return engine.enterCompensating(ctx, SessionEvent.CANCEL, "CANCELLED", caller.actor(), Map.of("reason", reason))
          .call(() -> engine.finish(ctx))
          .replaceWith(ctx);
    }));
  }

  public Uni<SessionContext> retryCompensation(UUID sessionId, Caller caller) {
    caller.requireOperator();
    return tx(() -> lockedSession(sessionId).flatMap(ctx -> {
      SessionMachine.TABLE.next(ctx.session.state, SessionEvent.RETRY_COMPENSATION);
      ctx.assignments.stream()
          .filter(a -> a.state == AssignmentState.COMPENSATION_FAILED)
          .forEach(a -> a.compensationPending = true);
      return engine.transition(ctx, SessionEvent.RETRY_COMPENSATION, "COMPENSATION_RETRY", caller.actor(), null)
          .call(() -> engine.progressCompensation(ctx))
          .call(() -> engine.finish(ctx))
          .replaceWith(ctx);
    }));
  }

  private Uni<SessionContext> lockedSession(UUID sessionId) {
    return engine.load(sessionId).onItem().ifNull().failWith(() -> ApiException.notFound("session " + sessionId));
  }

  // ------------------------------------------------------------------ assignments (the agent's calls)

  /** Loads the assignment's session locked, and checks the caller is the assignment's agent. */
  private Uni<Map.Entry<SessionContext, Assignment>> lockedAssignment(UUID assignmentId, Caller caller) {
    // Read the owner and session without loading the entity, then lock the session and load everything fresh.
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT agent_id, CAST(session_id AS varchar) FROM assignment WHERE assignment_id = :id", Object[].class)
            .setParameter("id", assignmentId)
            .getSingleResultOrNull())
        .onItem().ifNull().failWith(() -> ApiException.notFound("assignment " + assignmentId))
        .flatMap(row -> {
          String agentId = (String) row[0];
          if (!caller.isAgent(agentId)) {
            return Uni.createFrom().failure(ApiException.forbidden("only agent " + agentId + " may act on this assignment"));
          }
          return engine.load(UUID.fromString((String) row[1]));
        })
        .map(ctx -> Map.entry(ctx, ctx.find(assignmentId).orElseThrow()));
  }

  /** DELEGATED → ACKNOWLEDGED: one assignment, no session rule, so it skips the session lock (see there). */
  public Uni<Assignment> ack(UUID assignmentId, Caller caller) {
    return directTransitions.ack(assignmentId, caller);
  }

  /** Evidence → SUBMITTED → VALIDATED or REJECTED in one transaction; an identical resubmission gets the first verdict. */
  public Uni<Map<String, Object>> evidence(UUID assignmentId, JsonNode body, Caller caller) {
    EvidenceValidator.checkTypes(body);
    String evidenceHash = Hashing.canonicalHash(body);
    long started = System.nanoTime();
    return directEvidence.submit(assignmentId, body, evidenceHash, caller, started)
        .flatMap(verdict -> verdict != null ? Uni.createFrom().item(verdict)
            : judgeThroughEngine(assignmentId, body, evidenceHash, caller, started));
  }

  /** The general evidence path: every case, through the entities and {@link SessionEngine}. */
  private Uni<Map<String, Object>> judgeThroughEngine(UUID assignmentId, JsonNode body, String evidenceHash,
      Caller caller, long started) {
    return tx(() -> lockedAssignment(assignmentId, caller).flatMap(e -> {
      SessionContext ctx = e.getKey();
      Assignment a = e.getValue();
      if (a.evidenceHash != null) {
        if (a.evidenceHash.equals(evidenceHash) && a.verdict != null) {
          return Uni.createFrom().item(a.verdict);
        }
        return Uni.createFrom().failure(ApiException.conflict(
            "a different evidence was already judged for this assignment").with("current_state", a.state.name()));
      }
      AssignmentMachine.TABLE.next(a.state, AssignmentEvent.SUBMIT_EVIDENCE);
      return Agent.<Agent>findById(a.agentId).flatMap(agent -> judge(ctx, a, agent, body, evidenceHash, started, caller));
    }));
  }

  @SuppressWarnings("unchecked")
  private Uni<Map<String, Object>> judge(SessionContext ctx, Assignment a, Agent agent, JsonNode body, String hash,
      long started, Caller caller) {
    Instant now = clock.instant();
    Map<String, String> criteria = DirectEvidence.criteria(ctx.session.task.get("success_criteria"));
    List<String> proofs = agent.proofRequirements == null ? List.of() : Arrays.asList(agent.proofRequirements);
    Verdict v = EvidenceValidator.validate(body, new EvidenceValidator.Facts(a.taskId, a.delegatedAt, criteria, proofs), now);
    if (a.ackedAt == null) {
      a.ackedAt = now; // an ack is implied by the evidence
    }
    a.submittedAt = now;
    a.evidenceHash = hash;
    a.evidence = json.convertValue(body, Map.class);
    Map<String, Object> verdict = DirectEvidence.verdictBody(a.assignmentId, a.agentId, a.taskId, v,
        (System.nanoTime() - started) / 1_000_000, now);
    a.verdict = verdict;
    Long responseMs = a.delegatedAt == null ? null : Duration.between(a.delegatedAt, now).toMillis();
    registry.counter("ares_evidence_verdicts_total", "outcome", v.overallSuccess() ? "valid" : "invalid").increment();
    Uni<Void> submitted = engine.transition(ctx, a, AssignmentEvent.SUBMIT_EVIDENCE, "EVIDENCE_SUBMITTED",
        caller.actor(), Map.of("evidence_hash", hash));
    if (v.overallSuccess()) {
      return submitted
          .call(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                  "SELECT nextval('assignment_validation_seq')", Long.class).getSingleResult())
              .invoke(seq -> {
                a.validationSeq = seq;
                a.validatedAt = now;
              }))
          .call(() -> engine.transition(ctx, a, AssignmentEvent.EVIDENCE_VALID, "EVIDENCE_VALID", SessionEngine.ENGINE,
              null))
          .invoke(() -> engine.outcome(ctx, a.agentId, "VALIDATED", a, responseMs, null))
          .call(() -> engine.evaluate(ctx))
          .call(() -> engine.finish(ctx))
          .replaceWith(verdict);
    }
    return submitted
        .call(() -> engine.transition(ctx, a, AssignmentEvent.EVIDENCE_INVALID, "EVIDENCE_INVALID", SessionEngine.ENGINE,
            Map.of("reasons", v.reasons())))
        .invoke(() -> engine.outcome(ctx, a.agentId, "PROOF_VALIDATION_FAILED", a, responseMs,
            String.join("; ", v.reasons())))
        .call(() -> engine.afterUnsuccessful(ctx, a))
        .call(() -> engine.finish(ctx))
        .replaceWith(verdict);
  }

  public Uni<Assignment> failure(UUID assignmentId, String code, String message, Caller caller) {
    return tx(() -> lockedAssignment(assignmentId, caller).flatMap(e -> {
      SessionContext ctx = e.getKey();
      Assignment a = e.getValue();
      AssignmentMachine.TABLE.next(a.state, AssignmentEvent.REPORT_FAILURE);
      a.failureCode = code;
      a.failureMessage = message;
      Map<String, Object> detail = new HashMap<>();
      detail.put("code", code);
      if (message != null) {
        detail.put("message", message);
      }
      return engine.transition(ctx, a, AssignmentEvent.REPORT_FAILURE, "AGENT_REPORTED_FAILURE", caller.actor(), detail)
          .invoke(() -> engine.outcome(ctx, a.agentId, "AGENT_FAILURE", a, null, code + (message == null ? "" : ": " + message)))
          .call(() -> engine.afterUnsuccessful(ctx, a))
          .call(() -> engine.finish(ctx))
          .replaceWith(a);
    }));
  }

  public Uni<Assignment> compensated(UUID assignmentId, boolean ok, String detail, Caller caller) {
    return tx(() -> lockedAssignment(assignmentId, caller).flatMap(e -> {
      SessionContext ctx = e.getKey();
      Assignment a = e.getValue();
      AssignmentMachine.TABLE.next(a.state, ok ? AssignmentEvent.CONFIRM_COMPENSATED : AssignmentEvent.COMPENSATION_FAILURE);
      return engine.confirmCompensation(ctx, a, ok, detail, caller.actor())
          .call(() -> engine.finish(ctx))
          .replaceWith(a);
    }));
  }

  /** Sorts for stable lock order. */
  static final Comparator<UUID> ORDER = Comparator.naturalOrder();
}
