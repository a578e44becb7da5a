package io.ares.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.delivery.AgentMessage;
import io.ares.delivery.Outbox;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.PipelinedTx;
import io.ares.platform.Transactions;
import io.ares.platform.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Creates a session, its PENDING assignments, their delegations and the CREATED events in one transaction on the
 * reactive pool (the creation is the engine's busiest write after the agents' calls): by capability, one statement
 * ({@link #CREATE_BY_CAPABILITY}); by name, or when too few free agents were found, two or three prepared statements.
 * The same rules as {@link SessionService}: participants by name (each must exist, be ACTIVE and have free capacity)
 * or by capability (ACTIVE, capable, free capacity, live lease, best score first, rows another creation holds skipped
 * first); capacity reserved by a guarded update; one event row per created entity; the agents woken by a NOTIFY sent
 * right after the transaction commits.
 */
@ApplicationScoped
public class DirectCreation {

  private static final Logger LOG = Logger.getLogger(DirectCreation.class);

  /**
   * Candidates by capability, best first; {@code SKIP LOCKED} is added for the first pass. The one-statement path makes
   * the same choice in {@code ares_choose_and_reserve} (V10): a change to the rule changes both.
   */
  static final String PICK =
      "SELECT agent_id FROM agent WHERE status = 'ACTIVE' AND capabilities @> ARRAY[$1::varchar] "
          + "AND open_assignments < max_concurrent_tasks AND agent_id <> ALL($2::varchar[]) AND lease_expires_at > $3 "
          + "ORDER BY reliability_score DESC, agent_id "
          + "LIMIT $4 FOR NO KEY UPDATE";

  /**
   * The choice and the capacity reservation in one statement (the chosen rows are held only from here to the
   * creation's commit, one statement later); the first pass skips rows another transaction holds.
   */
  static String pickAndReserve(boolean skipLocked) {
    // ANY(ARRAY(…)): the choice runs first, once, and the update probes the primary key (an IN could become a join).
    return "UPDATE agent SET open_assignments = open_assignments + 1 WHERE agent_id = ANY(ARRAY(" + PICK
        + (skipLocked ? " SKIP LOCKED" : "") + ")) AND open_assignments < max_concurrent_tasks "
        + "RETURNING agent_id, reliability_score";
  }

  private static final String PICK_AND_RESERVE_FIRST = pickAndReserve(true);
  private static final String PICK_AND_RESERVE = pickAndReserve(false);

  static final String LOCK_NAMED =
      "SELECT agent_id, status FROM agent WHERE agent_id = ANY($1::varchar[]) ORDER BY agent_id FOR NO KEY UPDATE";

  static final String RESERVE =
      "UPDATE agent SET open_assignments = open_assignments + 1 WHERE agent_id = ANY($1::varchar[]) "
          + "AND status = 'ACTIVE' AND open_assignments < max_concurrent_tasks RETURNING agent_id";

  static final String WRITE =
      "WITH s AS (INSERT INTO coordination_session (session_id, state, coordinator_id, task, quorum, participants, "
          + "capability, deadline_at, created_at, updated_at, idempotency_key, request_hash) "
          + "VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9, $9, $10, $11)), "
          + "a AS (INSERT INTO assignment (assignment_id, session_id, agent_id, task_id, state, attempt, slot, created_at, "
          + "ack_deadline) SELECT id, $1, agent, task, $12, 1, slot, $9, $13 "
          + "FROM unnest($14::uuid[], $15::varchar[], $16::varchar[], $17::int[]) AS x(id, agent, task, slot)), "
          + "m AS (INSERT INTO agent_message (agent_id, assignment_id, session_id, type, payload, open, due_at, "
          + "deliveries, created_at) SELECT agent, id, $1, '" + AgentMessage.DELEGATION + "', payload::jsonb, true, $9, "
          + "0, $9 FROM unnest($14::uuid[], $15::varchar[], $18::text[]) AS x(id, agent, payload)), "
          + "e AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at, detail) "
          + "SELECT $1, entity, id, NULL, state, 'CREATED', $19, $9, detail::jsonb "
          + "FROM unnest($20::varchar[], $21::uuid[], $22::varchar[], $23::text[]) WITH ORDINALITY "
          + "AS x(entity, id, state, detail, n) ORDER BY n) "
          + "SELECT 1";

  /**
   * The whole creation by capability as one statement, its own transaction: the choice (rows another creation holds
   * skipped) and the capacity reservation ({@code ares_choose_and_reserve}, V10: all {@code count} agents or none),
   * then the session, its assignments, their delegations and the CREATED events. The chosen rows are locked only
   * while this statement runs and commits. When fewer than {@code count} free rows are found, nothing is reserved or
   * written (every insert is guarded by {@code ok}) and the two-statement path below takes over, which also waits for
   * rows other transactions hold. Slots go to the chosen in the order of the choice: best score first, then agent id.
   * $1 session, $2 INITIALIZING, $3 coordinator, $4 task, $5 quorum, $6 participants, $7 capability, $8 deadline,
   * $9 now, $10 Idempotency-Key, $11 request hash, $12 PENDING, $13 ack deadline, $14 assignment ids, $15 task ids,
   * $16 delegation payloads (by slot), $17 actor, $18 the session's CREATED detail, $19 count.
   */
  static final String CREATE_BY_CAPABILITY =
      // The choice (planned afresh with the call's values) and the reservation: all `count` agents or none (V10).
      "WITH r AS (SELECT chosen AS agent_id, score AS reliability_score "
          + "FROM ares_choose_and_reserve($7::varchar, $9::timestamptz, $19::int)), "
          + "ok AS (SELECT count(*) = $19::int AS ok FROM r), "
          + "ch AS (SELECT agent_id, (row_number() OVER (ORDER BY reliability_score DESC, agent_id))::int AS n FROM r), "
          + "s AS (INSERT INTO coordination_session (session_id, state, coordinator_id, task, quorum, participants, "
          + "capability, deadline_at, created_at, updated_at, idempotency_key, request_hash) "
          + "SELECT $1::uuid, $2::varchar, $3::varchar, $4::text::jsonb, $5::int, $6::int, $7::varchar, $8::timestamptz, "
          + "$9::timestamptz, $9::timestamptz, $10::varchar, $11::varchar WHERE (SELECT ok FROM ok)), "
          + "a AS (INSERT INTO assignment (assignment_id, session_id, agent_id, task_id, state, attempt, slot, created_at, "
          + "ack_deadline) SELECT ($14::uuid[])[n], $1::uuid, agent_id, ($15::varchar[])[n], $12::varchar, 1, n - 1, "
          + "$9::timestamptz, $13::timestamptz FROM ch), "
          + "m AS (INSERT INTO agent_message (agent_id, assignment_id, session_id, type, payload, open, due_at, "
          + "deliveries, created_at) SELECT agent_id, ($14::uuid[])[n], $1::uuid, '" + AgentMessage.DELEGATION + "', "
          + "(($16::text[])[n])::jsonb, true, $9::timestamptz, 0, $9::timestamptz FROM ch), "
          + "e AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at, detail) "
          + "SELECT $1::uuid, entity, id, NULL, state, 'CREATED', $17::varchar, $9::timestamptz, detail FROM ("
          + "SELECT 0 AS n, 'session' AS entity, $1::uuid AS id, $2::varchar AS state, $18::text::jsonb AS detail "
          + "WHERE (SELECT ok FROM ok) "
          + "UNION ALL SELECT n, 'assignment', ($14::uuid[])[n], $12::varchar, "
          + "jsonb_build_object('agent_id', agent_id, 'attempt', 1, 'slot', n - 1) FROM ch) x ORDER BY n) "
          + "SELECT agent_id, n FROM ch ORDER BY n";

  /**
   * Wakes the participants' long-polls on every replica, once the creation has committed, as a transaction of its own:
   * a NOTIFY inside the creation would hold PostgreSQL's global notification lock through the creation's commit flush,
   * which serialised every creation's commit (and kept the chosen agents' rows locked meanwhile) — 28 % of COMMIT
   * samples waited on it in the sessions benchmark. This one has no transaction id, hence no flush.
   */
  static final String WAKE = "SELECT pg_notify('" + Outbox.CHANNEL + "', c) FROM unnest($1::text[]) AS c";

  @Inject Pool pool;
  @Inject io.ares.delivery.WakeupHub hub;
  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject MeterRegistry registry;
  @Inject ObjectMapper json;

  /** Creates the session (no Idempotency-Key, or one never used by this coordinator). */
  public Uni<SessionContext> create(SessionRequest req, String coordinator, String key, String requestHash,
      Caller caller) {
    Uni<SessionContext> created = req.agentIds() == null
        ? Transactions.retried(Uni.createFrom().deferred(() -> createAtOnce(req, coordinator, key, requestHash, caller)))
            .flatMap(ctx -> ctx != null ? Uni.createFrom().item(ctx) : inTransaction(req, coordinator, key, requestHash, caller))
        : inTransaction(req, coordinator, key, requestHash, caller);
    // The answer waits for the wake-up (one short statement). Answering first was measured worse: the creators,
    // no longer held back, outran the wake-ups queued for a connection (session lifetime p50 1.1 s against 0.47 s at
    // saturation, BENCHMARKS.md).
    return created
        .call(ctx -> wake(ctx.assignments.stream().map(a -> a.agentId).toList()))
        .invoke(() -> registry.counter("ares_sessions_created_total").increment());
  }

  /** Sessions created by the one-statement path: the rest took the transaction (named agents, too few free ones). */
  static final String CREATED_AT_ONCE = "ares_sessions_created_at_once_total";

  /** By capability in one statement ({@link #CREATE_BY_CAPABILITY}); {@code null} when too few free rows were found. */
  private Uni<SessionContext> createAtOnce(SessionRequest req, String coordinator, String key, String requestHash,
      Caller caller) {
    Draft d = new Draft(req, coordinator, key, requestHash, caller, req.count());
    List<Object> params = d.sessionColumns();
    params.addAll(java.util.Arrays.asList(d.ids, d.taskIds, d.payloads, d.actor, d.sessionDetail, req.count()));
    Tuple t = Tuple.from(params);
    return pool.preparedQuery(CREATE_BY_CAPABILITY).execute(t).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      if (rows.size() != req.count()) {
        // ares_choose_and_reserve answers all or none; anything else would be a session short of its participants.
        throw new IllegalStateException(rows.size() + " of " + req.count() + " participants written");
      }
      List<String> agents = new ArrayList<>();
      rows.forEach(r -> agents.add(r.getString("agent_id")));
      registry.counter(CREATED_AT_ONCE).increment();
      return d.context(agents);
    });
  }

  /**
   * Named agents, or too few free ones by capability: one transaction, the choice (rows held by other creations
   * waited for) then the write; BEGIN goes with the choice, COMMIT with the write: two round trips (PipelinedTx).
   */
  private Uni<SessionContext> inTransaction(SessionRequest req, String coordinator, String key, String requestHash,
      Caller caller) {
    return PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
        (req.agentIds() != null ? reserveNamed(conn, req.agentIds()) : reserveByCapability(conn, req))
            .flatMap(agents -> write(conn, tx, new Draft(req, coordinator, key, requestHash, caller, agents.size()), agents)));
  }

  /**
   * Wakes the participants' long-polls, after the commit: the session exists whatever happens to the wake-up, which
   * must not fail (and so retry) it; this instance's agents are woken before it, another instance's agent not woken finds
   * the work within {@code DeliveryService.TRUSTED_FOR} (a failure is logged).
   */
  private Uni<Void> wake(List<String> agents) {
    // This instance's long-polls are woken now; the NOTIFY is for the other instances' (and skipped here).
    List<String> payloads = hub.wakeHereAndTag(agents);
    return pool.preparedQuery(WAKE).execute(Tuple.of((Object) payloads.toArray(String[]::new)))
        .onFailure().invoke(e -> LOG.warnf("wake-up of %s not sent to other instances (their polls find the work within a minute): %s",
            agents, e.getMessage()))
        .onFailure().recoverWithNull()
        .replaceWithVoid();
  }

  /** Named agents: each must exist, be ACTIVE and have free capacity; locked in id order (no deadlock). */
  private Uni<List<String>> reserveNamed(SqlConnection conn, List<String> ids) {
    String[] sorted = new TreeSet<>(ids).toArray(String[]::new);
    return conn.preparedQuery(LOCK_NAMED).execute(Tuple.of((Object) sorted)).flatMap(rows -> {
      Map<String, String> status = new LinkedHashMap<>();
      rows.forEach(r -> status.put(r.getString("agent_id"), r.getString("status")));
      List<String> unknown = ids.stream().filter(id -> !status.containsKey(id)).distinct().toList();
      if (!unknown.isEmpty()) {
        return Uni.createFrom().failure(new ApiException(422, "UNKNOWN_AGENT", "unknown agent(s): " + unknown)
            .with("agent_ids", unknown));
      }
      return conn.preparedQuery(RESERVE).execute(Tuple.of((Object) sorted)).flatMap(reserved -> {
        Set<String> got = new TreeSet<>();
        reserved.forEach(r -> got.add(r.getString("agent_id")));
        for (String id : sorted) {
          if (!got.contains(id)) {
            String why = !"ACTIVE".equals(status.get(id)) ? "is " + status.get(id) : "has no free capacity";
            return Uni.createFrom().failure(new ApiException(422, "NO_ELIGIBLE_AGENTS", "agent " + id + " " + why)
                .with("agent_id", id));
          }
        }
        return Uni.createFrom().item(ids);
      });
    });
  }

  /** By capability: rows held by a concurrent creation are skipped first; only when too few remain, waited for. */
  private Uni<List<String>> reserveByCapability(SqlConnection conn, SessionRequest req) {
    int count = req.count();
    return pick(conn, req.capability(), count, true, List.of())
        .flatMap(got -> got.size() >= count
            ? Uni.createFrom().item(got)
            : pick(conn, req.capability(), count - got.size(), false, got).map(more -> {
              List<String> all = new ArrayList<>(got);
              all.addAll(more);
              return all;
            }))
        .flatMap(got -> got.size() < count
            ? Uni.createFrom().failure(new ApiException(422, "NO_ELIGIBLE_AGENTS", "only " + got.size()
                + " eligible agent(s) with capability " + req.capability() + ", " + count + " needed"))
            : Uni.createFrom().item(got));
  }

  private Uni<List<String>> pick(SqlConnection conn, String capability, int count, boolean skipLocked,
      List<String> exclude) {
    return conn.preparedQuery(skipLocked ? PICK_AND_RESERVE_FIRST : PICK_AND_RESERVE)
        .execute(Tuple.of(capability, exclude.toArray(String[]::new), DirectTransitions.utc(clock.instant()), count))
        .map(rows -> {
          // In the order of the choice: best score first, then agent id.
          List<Row> got = new ArrayList<>();
          rows.forEach(got::add);
          got.sort(java.util.Comparator.comparingDouble((Row r) -> -r.getDouble("reliability_score"))
              .thenComparing(r -> r.getString("agent_id")));
          return got.stream().map(r -> r.getString("agent_id")).collect(Collectors.toList());
        });
  }

  /** Everything of a new session that does not depend on which agents take it: ids, payloads, details. */
  private final class Draft {
    final CoordinationSession s = new CoordinationSession();
    final Instant now = clock.instant();
    final Instant ackDeadline = now.plus(config.assignment().ackTimeout());
    final UUID[] ids;
    final String[] taskIds;
    final String[] payloads;
    final String sessionDetail;
    final String actor;

    Draft(SessionRequest req, String coordinator, String key, String requestHash, Caller caller, int n) {
      actor = caller.actor();
      s.sessionId = UUID.randomUUID();
      s.state = SessionState.INITIALIZING;
      s.coordinatorId = coordinator;
      s.task = req.task();
      s.quorum = req.effectiveQuorum();
      s.participants = req.participants();
      s.capability = req.capability();
      s.deadlineAt = req.deadlineSeconds() == null ? null : now.plusSeconds(req.deadlineSeconds());
      s.createdAt = now;
      s.updatedAt = now;
      s.idempotencyKey = key;
      s.requestHash = requestHash;
      sessionDetail = json(Map.of("coordinator_id", coordinator, "quorum", s.quorum, "participants", s.participants));
      ids = new UUID[n];
      taskIds = new String[n];
      payloads = new String[n];
      for (int i = 0; i < n; i++) {
        ids[i] = UUID.randomUUID();
        taskIds[i] = UUID.randomUUID().toString();
        // The delegation's payload does not name the agent: it is the same whoever takes the slot.
        Map<String, Object> payload = SessionEngine.messagePayload(s, assignment(i, null));
        payload.put("deadline", ackDeadline.toString());
        payloads[i] = json(payload);
      }
    }

    Assignment assignment(int slot, String agentId) {
      Assignment a = new Assignment();
      a.assignmentId = ids[slot];
      a.sessionId = s.sessionId;
      a.agentId = agentId;
      a.taskId = taskIds[slot];
      a.state = AssignmentState.PENDING;
      a.attempt = 1;
      a.slot = slot;
      a.createdAt = now;
      a.ackDeadline = ackDeadline;
      return a;
    }

    /**
     * $1–$13 of both creation statements: the session's columns, then the assignments' PENDING state and ack deadline.
     */
    List<Object> sessionColumns() {
      return new ArrayList<>(java.util.Arrays.asList(s.sessionId, s.state.name(), s.coordinatorId, json(s.task),
          s.quorum, s.participants, s.capability, DirectTransitions.utc(s.deadlineAt), DirectTransitions.utc(now),
          s.idempotencyKey, s.requestHash, AssignmentState.PENDING.name(), DirectTransitions.utc(ackDeadline)));
    }

    /** The session and its assignments, slot i to agents[i]. */
    SessionContext context(List<String> agents) {
      List<Assignment> assignments = new ArrayList<>();
      for (int i = 0; i < agents.size(); i++) {
        assignments.add(assignment(i, agents.get(i)));
      }
      return new SessionContext(s, assignments);
    }
  }

  private Uni<SessionContext> write(SqlConnection conn, PipelinedTx tx, Draft d, List<String> agents) {
    int n = agents.size();
    SessionContext ctx = d.context(agents);
    CoordinationSession s = d.s;
    Integer[] slots = new Integer[n];
    String[] evEntity = new String[n + 1];
    UUID[] evId = new UUID[n + 1];
    String[] evState = new String[n + 1];
    String[] evDetail = new String[n + 1];
    evEntity[0] = "session";
    evId[0] = s.sessionId;
    evState[0] = s.state.name();
    evDetail[0] = d.sessionDetail;
    for (int i = 0; i < n; i++) {
      slots[i] = i;
      evEntity[i + 1] = "assignment";
      evId[i + 1] = d.ids[i];
      evState[i + 1] = AssignmentState.PENDING.name();
      evDetail[i + 1] = json(Map.of("agent_id", agents.get(i), "attempt", 1, "slot", i));
    }
    List<Object> params = d.sessionColumns();
    params.addAll(java.util.Arrays.asList(d.ids, agents.toArray(String[]::new), d.taskIds, slots, d.payloads,
        d.actor, evEntity, evId, evState, evDetail));
    Tuple t = Tuple.from(params);
    return tx.commitWith(conn.preparedQuery(WRITE).execute(t)).replaceWith(ctx);
  }

  private String json(Object value) {
    return io.ares.platform.JsonText.of(json, value);
  }

  /** True when the failure is the unique index on (coordinator, Idempotency-Key): a concurrent twin won. */
  static boolean duplicateKey(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (String.valueOf(c.getMessage()).contains("session_idempotency_idx")) {
        return true;
      }
    }
    return false;
  }
}
