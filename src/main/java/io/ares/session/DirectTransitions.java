package io.ares.session;

import io.ares.delivery.AgentMessage;
import io.ares.delivery.DeliveryHook;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.GroupCommit;
import io.ares.platform.Transactions;
import io.ares.platform.fsm.TransitionTable;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The transitions that change one assignment and no session-wide rule — an agent's ACK, and DELIVER on a delegation's
 * first delivery (with the session's FIRST_DELIVERY) — written as a few prepared statements on the reactive pool
 * instead of through a locked {@link SessionContext}. They are the most frequent transitions of a session, and they
 * need neither the session lock nor the entity machinery.
 *
 * <p>The rules stay those of the transition tables ({@link AssignmentMachine}, {@link SessionMachine}); every
 * transition is one row update plus one event row in one transaction. Races are settled the same way as elsewhere:
 * the assignment row is locked or updated under a state guard and its {@code version} bumped, so a concurrent writer
 * holding the session (which read the assignment before) fails its optimistic check and retries on fresh rows. Lock
 * order is the engine's: session rows, then message rows, then assignment rows.
 */
@ApplicationScoped
public class DirectTransitions implements DeliveryHook {

  static final String LOCK_ASSIGNMENT =
      "SELECT a.assignment_id, a.session_id, a.agent_id, a.task_id, a.state, a.attempt, a.slot, a.created_at, "
          + "a.delegated_at, a.acked_at, a.validated_at, a.ended_at, a.ack_deadline, a.completion_deadline, "
          + "a.verdict, a.failure_code, a.compensation_key, a.replaced_by, a.version, "
          + "s.task -> 'completion_timeout_seconds' AS completion_timeout "
          + "FROM assignment a JOIN coordination_session s ON s.session_id = a.session_id "
          + "WHERE a.assignment_id = $1 FOR NO KEY UPDATE OF a";

  /** First statement of an ACK: the delegation's message row before the assignment's, as claims and entity writers. */
  static final String CLOSE_DELEGATION =
      "UPDATE agent_message SET open = false WHERE assignment_id = $1 AND type = '" + AgentMessage.DELEGATION
          + "' AND open";

  static final String WRITE_ACK =
      "WITH u AS (UPDATE assignment SET state = $2, acked_at = $3, completion_deadline = $4, version = version + 1 "
          + "WHERE assignment_id = $1) "
          + "INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at) "
          + "VALUES ($5, 'assignment', $1, $6, $2, 'ACKNOWLEDGED', $7, $3)";

  /** The one state an ACK leaves (the table's; checked when the class loads). */
  static final AssignmentState ACK_FROM = AssignmentMachine.TABLE.transitions().stream()
      .filter(t -> t.event() == AssignmentEvent.ACK).map(TransitionTable.Transition::from)
      .reduce((x, y) -> {
        throw new IllegalStateException("ACK leaves more than one state: the one-statement ack needs one");
      }).orElseThrow();

  /**
   * The whole ACK in one statement, for the common case (the caller's assignment, in {@link #ACK_FROM}), for every
   * ACK of the batch at once ({@link #ack}): closes each delegation's message first (engine lock order: message rows,
   * then assignment rows — the message is closed only when the assignment is the caller's and in that state, and
   * every transition that could race the ack closes it as well), then writes the assignments under their state guard
   * and appends their events. An ACK without a row is answered by the transaction path below, which reads the row to
   * say why. $1 assignments, $2 their agents, $3 their actors, $4 from, $5 to, $6 now, $7 default completion timeout
   * (seconds).
   */
  static final String ACK_AT_ONCE =
      "WITH r AS (SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[]) AS r(assignment_id, agent_id, actor)), "
          + "m AS (UPDATE agent_message g SET open = false FROM r WHERE g.assignment_id = r.assignment_id AND g.type = '"
          + AgentMessage.DELEGATION + "' AND g.open AND g.agent_id = r.agent_id "
          + "AND EXISTS (SELECT 1 FROM assignment x WHERE x.assignment_id = r.assignment_id AND x.state = $4::varchar) "
          + "RETURNING 1), "
          + "u AS (UPDATE assignment a SET state = $5::varchar, acked_at = $6::timestamptz, "
          + "completion_deadline = $6::timestamptz + make_interval(secs => coalesce((SELECT CASE "
          + "WHEN jsonb_typeof(s.task -> 'completion_timeout_seconds') = 'number' "
          + "THEN trunc((s.task ->> 'completion_timeout_seconds')::float8) END "
          + "FROM coordination_session s WHERE s.session_id = a.session_id), $7::float8)), version = a.version + 1 "
          + "FROM r WHERE a.assignment_id = r.assignment_id AND a.agent_id = r.agent_id AND a.state = $4::varchar "
          + "AND (SELECT count(*) FROM m) >= 0 "
          + "RETURNING a.assignment_id, a.session_id, a.agent_id, a.task_id, a.state, a.attempt, a.slot, a.created_at, "
          + "a.delegated_at, a.acked_at, a.validated_at, a.ended_at, a.ack_deadline, a.completion_deadline, "
          + "a.verdict, a.failure_code, a.compensation_key, a.replaced_by, a.version, r.actor), "
          + "ev AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at) "
          + "SELECT session_id, 'assignment', assignment_id, $4::varchar, $5::varchar, 'ACKNOWLEDGED', actor, "
          + "$6::timestamptz FROM u ORDER BY assignment_id) "
          + "SELECT * FROM u";

  /** The most ACKs one statement writes (see {@link #ack}). */
  static final int MAX_ACKS_PER_STATEMENT = 64;

  /** An agent's ACK waiting for the next statement. */
  private record AckRequest(UUID assignmentId, String agentId, String actor) {}

  /**
   * Group commit of ACKs: those that arrive while one statement runs are written together by the next (each a
   * transition of its own assignment, with its own event row), so at load they share a statement and a commit.
   */
  private final GroupCommit<AckRequest, Assignment> acks = new GroupCommit<>(MAX_ACKS_PER_STATEMENT, this::ackBatch);

  /**
   * First deliveries, inside the claim's statement (see {@link DeliveryHook}): the sessions still INITIALIZING are
   * locked first (in id order), then their PENDING assignments become DELEGATED, then those sessions IN_PROGRESS,
   * and the event rows are appended — assignments' first, each group in id order.
   */
  static final String FIRST_DELIVERY_CTES = ", "
      + "fd_lock AS (SELECT session_id FROM coordination_session WHERE session_id IN (SELECT session_id FROM "
      + "first_delegations) AND state = '" + SessionState.INITIALIZING + "' ORDER BY session_id FOR NO KEY UPDATE), "
      + "fd_assignments AS (UPDATE assignment SET state = '%2$s', delegated_at = $2::timestamptz, version = version + 1 "
      + "WHERE assignment_id IN (SELECT assignment_id FROM first_delegations) AND state = '%1$s' "
      + "AND (SELECT count(*) FROM fd_lock) >= 0 RETURNING assignment_id, session_id), "
      + "fd_sessions AS (UPDATE coordination_session SET state = '%4$s', updated_at = $2::timestamptz, "
      + "version = version + 1 WHERE session_id IN (SELECT session_id FROM fd_lock) "
      + "AND (SELECT count(*) FROM fd_assignments) >= 0 RETURNING session_id), "
      + "fd_events AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at) "
      + "SELECT * FROM ((SELECT session_id, 'assignment', assignment_id, '%1$s', '%2$s', 'DELIVERED', '"
      + SessionEngine.ENGINE + "', $2::timestamptz FROM fd_assignments ORDER BY assignment_id) "
      + "UNION ALL (SELECT session_id, 'session', session_id, '%3$s', '%4$s', 'FIRST_DELIVERY', '"
      + SessionEngine.ENGINE + "', $2::timestamptz FROM fd_sessions ORDER BY session_id)) e)";

  @Inject Pool pool;
  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject MeterRegistry registry;

  @jakarta.annotation.PostConstruct
  void meters() {
    acks.measure(registry, "ack");
  }

  /**
   * DELEGATED → ACKNOWLEDGED, by the assignment's agent; the completion deadline starts now. One statement when it
   * is allowed; a refusal (unknown, someone else's, wrong state) is answered by the transaction below, which reads
   * the row to say why.
   */
  public Uni<Assignment> ack(UUID assignmentId, Caller caller) {
    Uni<Assignment> direct = !caller.agent() ? Uni.createFrom().nullItem()
        : acks.submit(new AckRequest(assignmentId, caller.name(), caller.actor()));
    return direct
        .flatMap(a -> a != null ? Uni.createFrom().item(a)
            : Transactions.onPool(pool, conn -> ackIn(conn, assignmentId, caller)))
        .invoke(a -> registry.counter("ares_transitions_total", "machine", "assignment", "to", a.state.name())
            .increment());
  }

  /**
   * One statement for the batch's ACKs; each is answered its assignment, or null (the transaction path answers it): not
   * written (someone else's, not in {@link #ACK_FROM}, unknown), asked again in the same batch, which the path then
   * answers as it answers an ACK that follows one, or in a statement that failed.
   */
  private Uni<Void> ackBatch(List<GroupCommit.Entry<AckRequest, Assignment>> batch) {
    Map<UUID, AckRequest> first = new LinkedHashMap<>();
    batch.forEach(e -> first.putIfAbsent(e.item().assignmentId(), e.item()));
    UUID[] ids = first.keySet().toArray(UUID[]::new);
    String[] agents = first.values().stream().map(AckRequest::agentId).toArray(String[]::new);
    String[] actors = first.values().stream().map(AckRequest::actor).toArray(String[]::new);
    AssignmentState to = AssignmentMachine.TABLE.next(ACK_FROM, AssignmentEvent.ACK);
    return Transactions.retried(pool.preparedQuery(ACK_AT_ONCE)
            .execute(Tuple.from(List.of(ids, agents, actors, ACK_FROM.name(), to.name(), utc(clock.instant()),
                config.assignment().completionTimeout().toMillis() / 1000.0))))
        .invoke(rows -> {
          Map<UUID, Assignment> written = new java.util.HashMap<>();
          rows.forEach(r -> written.put(r.getUUID("assignment_id"), fromRow(r)));
          batch.forEach(e -> e.complete(first.remove(e.item().assignmentId()) == e.item()
              ? written.get(e.item().assignmentId()) : null));
        })
        .replaceWithVoid()
        // A statement that failed as a whole wrote nothing: each ACK is answered by the transaction path on its own.
        .onFailure().recoverWithItem(err -> {
          batch.forEach(e -> e.complete(null));
          return null;
        });
  }

  private Uni<Assignment> ackIn(SqlConnection conn, UUID assignmentId, Caller caller) {
    // A refusal below rolls the message change back with the transaction.
    return conn.preparedQuery(CLOSE_DELEGATION).execute(Tuple.of(assignmentId))
        .flatMap(closed -> conn.preparedQuery(LOCK_ASSIGNMENT).execute(Tuple.of(assignmentId))).flatMap(rows -> {
      if (rows.size() == 0) {
        return Uni.createFrom().failure(ApiException.notFound("assignment " + assignmentId));
      }
      Row row = rows.iterator().next();
      Assignment a = fromRow(row);
      if (!caller.isAgent(a.agentId)) {
        return Uni.createFrom().failure(
            ApiException.forbidden("only agent " + a.agentId + " may act on this assignment"));
      }
      AssignmentState from = a.state;
      AssignmentState to = AssignmentMachine.TABLE.next(from, AssignmentEvent.ACK);
      Instant now = clock.instant();
      a.state = to;
      a.ackedAt = now;
      a.completionDeadline = now.plus(completionTimeout(row.getValue("completion_timeout")));
      a.version++;
      return conn.preparedQuery(WRITE_ACK)
          .execute(Tuple.from(List.of(a.assignmentId, to.name(), utc(now), utc(a.completionDeadline), a.sessionId,
              from.name(), caller.actor())))
          .replaceWith(a);
    });
  }

  /** The task's own completion timeout (a JSON number of seconds), else the configured default. */
  Duration completionTimeout(Object json) {
    return json instanceof Number n ? Duration.ofSeconds(n.longValue()) : config.assignment().completionTimeout();
  }

  /**
   * First deliveries of delegations, inside the claim: PENDING → DELEGATED for each, and INITIALIZING → IN_PROGRESS
   * for their sessions still initializing. A delegation whose assignment has meanwhile left PENDING (cancelled, timed
   * out) changes nothing. The states come from the transition tables.
   */
  @Override
  public String firstDeliveryCtes() {
    AssignmentState aFrom = AssignmentState.PENDING;
    AssignmentState aTo = AssignmentMachine.TABLE.next(aFrom, AssignmentEvent.DELIVER);
    SessionState sFrom = SessionState.INITIALIZING;
    SessionState sTo = SessionMachine.TABLE.next(sFrom, SessionEvent.FIRST_DELIVERY);
    return String.format(FIRST_DELIVERY_CTES, aFrom, aTo, sFrom, sTo);
  }

  @Override
  public Map<String, String> resultColumns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("fd_delegated", "(SELECT count(*) FROM fd_assignments)");
    columns.put("fd_started", "(SELECT count(*) FROM fd_sessions)");
    return columns;
  }

  @Override
  public void afterClaim(Row last) {
    Long delegated = last.getLong("fd_delegated");
    Long started = last.getLong("fd_started");
    if (delegated != null && delegated > 0) {
      registry.counter("ares_transitions_total", "machine", "assignment", "to", AssignmentState.DELEGATED.name())
          .increment(delegated);
    }
    if (started != null && started > 0) {
      registry.counter("ares_transitions_total", "machine", "session", "to", SessionState.IN_PROGRESS.name())
          .increment(started);
    }
  }

  static OffsetDateTime utc(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  /** The assignment as the API shows it (the columns of {@link #LOCK_ASSIGNMENT}); not a managed entity. */
  @SuppressWarnings("unchecked")
  static Assignment fromRow(Row r) {
    Assignment a = new Assignment();
    a.assignmentId = r.getUUID("assignment_id");
    a.sessionId = r.getUUID("session_id");
    a.agentId = r.getString("agent_id");
    a.taskId = r.getString("task_id");
    a.state = AssignmentState.valueOf(r.getString("state"));
    a.attempt = r.getInteger("attempt");
    a.slot = r.getInteger("slot");
    a.createdAt = instant(r, "created_at");
    a.delegatedAt = instant(r, "delegated_at");
    a.ackedAt = instant(r, "acked_at");
    a.validatedAt = instant(r, "validated_at");
    a.endedAt = instant(r, "ended_at");
    a.ackDeadline = instant(r, "ack_deadline");
    a.completionDeadline = instant(r, "completion_deadline");
    io.vertx.core.json.JsonObject verdict = r.getJsonObject("verdict");
    a.verdict = verdict == null ? null : verdict.mapTo(java.util.Map.class);
    a.failureCode = r.getString("failure_code");
    a.compensationKey = r.getString("compensation_key");
    a.replacedBy = r.getUUID("replaced_by");
    a.version = r.getLong("version");
    return a;
  }
}
