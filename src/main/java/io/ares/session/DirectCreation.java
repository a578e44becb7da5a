package io.ares.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.delivery.AgentMessage;
import io.ares.delivery.Outbox;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.PipelinedTx;
import io.ares.platform.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
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
 * Creates a session, its PENDING assignments, their delegations and the CREATED events in one transaction of two
 * or three prepared statements on the reactive pool (the creation is the engine's busiest write after the agents'
 * calls). The same rules as {@link SessionService}: participants by name (each must exist, be ACTIVE and have free
 * capacity) or by capability (ACTIVE, capable, free capacity, live lease, best score first, rows another creation
 * holds skipped first); capacity reserved by a guarded update; one event row per created entity; the agents woken
 * by a NOTIFY sent right after the transaction commits.
 */
@ApplicationScoped
public class DirectCreation {

  private static final Logger LOG = Logger.getLogger(DirectCreation.class);

  /** Candidates by capability, best first; {@code SKIP LOCKED} is added for the first pass. */
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
   * Wakes the participants' long-polls on every replica. Sent right behind the creation's COMMIT on the same connection
   * (no round trip of its own), as a transaction of its own: a NOTIFY inside the creation would hold PostgreSQL's
   * global notification lock through the creation's commit flush, which serialised every creation's commit (and kept
   * the chosen agents' rows locked meanwhile) — 28 % of COMMIT samples waited on it in the sessions benchmark. This
   * one has no transaction id, hence no flush. A creation rolled back wakes its agents for nothing; they claim nothing.
   */
  static final String WAKE = "SELECT pg_notify('" + Outbox.CHANNEL + "', c) FROM unnest($1::text[]) AS c";

  @Inject Pool pool;
  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject MeterRegistry registry;
  @Inject ObjectMapper json;

  /** Creates the session (no Idempotency-Key, or one never used by this coordinator). */
  public Uni<SessionContext> create(SessionRequest req, String coordinator, String key, String requestHash,
      Caller caller) {
    // BEGIN goes with the choice, COMMIT with the write: two round trips (PipelinedTx).
    return PipelinedTx.run(pool, "BEGIN", (conn, tx) ->
            (req.agentIds() != null ? reserveNamed(conn, req.agentIds()) : reserveByCapability(conn, req))
                .flatMap(agents -> write(conn, tx, req, coordinator, key, requestHash, caller, agents)))
        .invoke(() -> registry.counter("ares_sessions_created_total").increment());
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

  private Uni<SessionContext> write(SqlConnection conn, PipelinedTx tx, SessionRequest req, String coordinator, String key,
      String requestHash, Caller caller, List<String> agents) {
    Instant now = clock.instant();
    CoordinationSession s = new CoordinationSession();
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
    Instant ackDeadline = now.plus(config.assignment().ackTimeout());
    int n = agents.size();
    List<Assignment> assignments = new ArrayList<>();
    UUID[] ids = new UUID[n];
    String[] agentIds = new String[n];
    String[] taskIds = new String[n];
    Integer[] slots = new Integer[n];
    String[] payloads = new String[n];
    String[] evEntity = new String[n + 1];
    UUID[] evId = new UUID[n + 1];
    String[] evState = new String[n + 1];
    String[] evDetail = new String[n + 1];
    evEntity[0] = "session";
    evId[0] = s.sessionId;
    evState[0] = s.state.name();
    evDetail[0] = json(Map.of("coordinator_id", coordinator, "quorum", s.quorum, "participants", s.participants));
    for (int i = 0; i < n; i++) {
      Assignment a = new Assignment();
      a.assignmentId = UUID.randomUUID();
      a.sessionId = s.sessionId;
      a.agentId = agents.get(i);
      a.taskId = UUID.randomUUID().toString();
      a.state = AssignmentState.PENDING;
      a.attempt = 1;
      a.slot = i;
      a.createdAt = now;
      a.ackDeadline = ackDeadline;
      assignments.add(a);
      ids[i] = a.assignmentId;
      agentIds[i] = a.agentId;
      taskIds[i] = a.taskId;
      slots[i] = i;
      Map<String, Object> payload = SessionEngine.messagePayload(s, a);
      payload.put("deadline", ackDeadline.toString());
      payloads[i] = json(payload);
      evEntity[i + 1] = "assignment";
      evId[i + 1] = a.assignmentId;
      evState[i + 1] = a.state.name();
      evDetail[i + 1] = json(Map.of("agent_id", a.agentId, "attempt", 1, "slot", i));
    }
    String[] wake = Outbox.chunks(agents).toArray(String[]::new);
    OffsetDateTime at = DirectTransitions.utc(now);
    Tuple t = Tuple.from(java.util.Arrays.asList(
        s.sessionId, s.state.name(), coordinator, json(s.task), s.quorum, s.participants, s.capability,
        DirectTransitions.utc(s.deadlineAt), at, key, requestHash,
        AssignmentState.PENDING.name(), DirectTransitions.utc(ackDeadline),
        ids, agentIds, taskIds, slots, payloads,
        caller.actor(), evEntity, evId, evState, evDetail));
    Uni<RowSet<Row>> written = tx.commitWith(conn.preparedQuery(WRITE).execute(t));
    // After the commit: the session exists whatever happens to the wake-up, which must not fail (and so retry) it.
    Uni<RowSet<Row>> woken = conn.preparedQuery(WAKE).execute(Tuple.of((Object) wake))
        .onFailure().invoke(e -> LOG.warnf("wake-up of %s not sent (they find the work at their next poll): %s",
            agents, e.getMessage()))
        .onFailure().recoverWithNull();
    return Uni.combine().all().unis(written, woken).asTuple().map(x -> new SessionContext(s, assignments));
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
