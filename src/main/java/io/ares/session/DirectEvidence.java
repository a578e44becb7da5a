package io.ares.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.delivery.AgentMessage;
import io.ares.evidence.EvidenceValidator;
import io.ares.evidence.Verdict;
import io.ares.platform.ApiException;
import io.ares.platform.PipelinedTx;
import io.ares.platform.security.Caller;
import io.ares.reliability.OutcomeKind;
import io.ares.reliability.OutcomeProjector;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;

/**
 * The common case of an agent's evidence — the first submission, valid, and either the session stays open or its
 * quorum is reached with nothing else open — in three prepared statements on the reactive pool instead of through the
 * entities: one reads the session and its assignments, unlocked, and the verdict is judged from it; then one locks the
 * session and one checks what the read decided on the rows as they are now and writes SUBMITTED → VALIDATED (and, when
 * it is the quorum, IN_PROGRESS → COMPLETED) with their event rows, closes the delegation, gives the agent's capacity
 * back and queues the reliability outcome. Two round trips: BEGIN and the read go together, then the lock, the write
 * and COMMIT ({@link PipelinedTx}); the session is locked only for the second. Everything else (a rejected
 * verdict, a completion that must cancel open work) is answered {@code null}, and {@link SessionService} runs the
 * general path, which applies the same rules through {@link SessionEngine}.
 *
 * <p>Same rules, same transaction boundaries: the transitions come from the tables, the session row is locked as the
 * engine locks it, the assignment row is written under its version (a concurrent ACK, which does not take the session
 * lock, makes this attempt retry on fresh rows), and the reliability outcome is inserted in this transaction and
 * handed to {@link OutcomeProjector} after the commit (the answer waits for it only with
 * {@code ares.reliability.verdict-awaits-record}).
 */
@ApplicationScoped
public class DirectEvidence {

  private static final Logger LOG = Logger.getLogger(DirectEvidence.class);

  /**
   * The assignment, its session and the submitter's proof requirements, read before any lock: the verdict is judged
   * from them while nothing is held. The session's other assignments are not read here: the quorum is counted under
   * the lock by {@link #WRITE_VALID}, which also checks the assignment's version and the session's state.
   */
  static final String READ =
      "SELECT s.session_id, s.state AS session_state, s.task -> 'success_criteria' AS criteria, "
          + "a.assignment_id, a.agent_id, a.task_id, a.state, a.delegated_at, a.evidence_hash, a.verdict, a.version, "
          + "(SELECT g.proof_requirements FROM agent g WHERE g.agent_id = a.agent_id) AS proofs "
          + "FROM assignment a JOIN coordination_session s ON s.session_id = a.session_id WHERE a.assignment_id = $1";

  /**
   * Locks the session, as the engine does, right before the write: sent with {@link #WRITE_VALID} and COMMIT, so the
   * lock is held for one statement and the commit, never while the application judges. The write is a statement of
   * its own after the lock: under READ COMMITTED a statement that waited for the lock would still see the
   * assignments as they were before it waited, and count the quorum from them.
   */
  static final String LOCK = "SELECT 1 FROM coordination_session WHERE session_id = $1 FOR NO KEY UPDATE";

  /**
   * Opens the verdict's transaction on generic plans ({@link PipelinedTx#BEGIN_GENERIC_PLANS}): left to choose,
   * PostgreSQL planned {@link #READ} afresh on every call (10,352 plans for 10,354 calls, 0.39 ms each, in the sessions
   * benchmark with pg_stat_statements' track_planning), though the generic plan is the same index walk.
   */
  static final String BEGIN = PipelinedTx.BEGIN_GENERIC_PLANS;

  /** The assignment states that are still open work (counted by the quorum rule in SQL). */
  private static final String OPEN_STATES = AssignmentState.OPEN.stream().map(st -> "'" + st.name() + "'")
      .collect(java.util.stream.Collectors.joining(", "));

  /**
   * The verdict's transaction after the lock, as one statement. First the rule the read decided, checked on the rows
   * as they are now ({@code d}): the session is still in the state read, and this verdict either leaves the quorum
   * short or completes it with nothing else open and no replacement due (any other case writes nothing and is
   * answered to the general path). Then the writes ({@code go}): the delegation's message row before the assignment
   * row (the order of every writer; a version mismatch writes nothing and the attempt is retried), the events, the
   * agent's capacity, the session when it completes, the reliability outcome. $1 assignment, $2 now, $3 evidence hash,
   * $4 evidence, $5 verdict, $6 the version read, $7 session, $8 actor, $9 the session's state read, $10 assignment's
   * state before, $11 EVIDENCE_SUBMITTED detail, $12 agent, $13 response time, $14 SUBMITTED, $15 VALIDATED,
   * $16 the session's state when the quorum is reached.
   */
  static final String WRITE_VALID =
      "WITH q AS (SELECT count(*) FILTER (WHERE state = '" + AssignmentState.VALIDATED.name() + "') + 1 AS valid, "
          + "coalesce(bool_or(state IN (" + OPEN_STATES + ") OR (retry_due_at IS NOT NULL AND replaced_by IS NULL)), "
          + "false) AS others_open FROM assignment WHERE session_id = $7::uuid AND assignment_id <> $1::uuid), "
          + "d AS (SELECT s.state = $9::varchar AS same, q.valid >= s.quorum AS completes, q.others_open "
          + "FROM coordination_session s, q WHERE s.session_id = $7::uuid), "
          + "go AS (SELECT completes FROM d WHERE same AND NOT (completes AND others_open)), "
          + "m AS (UPDATE agent_message SET open = false WHERE assignment_id = $1::uuid AND type = '"
          + AgentMessage.DELEGATION + "' AND open AND EXISTS (SELECT 1 FROM go) RETURNING 1), "
          + "u AS (UPDATE assignment SET state = $15::varchar, acked_at = coalesce(acked_at, $2::timestamptz), "
          + "submitted_at = $2::timestamptz, validated_at = $2::timestamptz, ended_at = $2::timestamptz, "
          + "validation_seq = nextval('assignment_validation_seq'), evidence_hash = $3::varchar, "
          + "evidence = $4::text::jsonb, verdict = $5::text::jsonb, version = version + 1 "
          + "WHERE assignment_id = $1::uuid AND version = $6::bigint AND EXISTS (SELECT 1 FROM go) "
          + "AND (SELECT count(*) FROM m) >= 0 RETURNING assignment_id), "
          + "ev AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at, detail) "
          + "SELECT $7::uuid, 'assignment', $1::uuid, $10::varchar, $14::varchar, 'EVIDENCE_SUBMITTED', $8::varchar, "
          + "$2::timestamptz, $11::text::jsonb FROM u "
          + "UNION ALL SELECT $7::uuid, 'assignment', $1::uuid, $14::varchar, $15::varchar, 'EVIDENCE_VALID', '"
          + SessionEngine.ENGINE + "', $2::timestamptz, NULL FROM u "
          + "UNION ALL SELECT $7::uuid, 'session', $7::uuid, $9::varchar, $16::varchar, 'QUORUM_VALIDATED', '"
          + SessionEngine.ENGINE + "', $2::timestamptz, NULL FROM u WHERE (SELECT completes FROM go)), "
          + "cap AS (UPDATE agent SET open_assignments = greatest(open_assignments - 1, 0) WHERE agent_id = $12::varchar "
          + "AND EXISTS (SELECT 1 FROM u)), "
          + "s AS (UPDATE coordination_session SET state = $16::varchar, cause = 'QUORUM_VALIDATED', "
          + "updated_at = $2::timestamptz, ended_at = $2::timestamptz, version = version + 1 "
          + "WHERE session_id = $7::uuid AND (SELECT completes FROM go) AND EXISTS (SELECT 1 FROM u)), "
          + "o AS (INSERT INTO reliability_outcome (agent_id, kind, assignment_id, session_id, response_time_ms, at) "
          + "SELECT $12::varchar, '" + OutcomeKind.VALIDATED.name() + "', $1::uuid, $7::uuid, $13::bigint, "
          + "$2::timestamptz FROM u RETURNING outcome_id) "
          + "SELECT (SELECT outcome_id FROM o) AS outcome_id, (SELECT completes FROM go) AS completes, "
          + "coalesce((SELECT same AND completes AND others_open FROM d), false) AS general "
          + "FROM (SELECT 1) one";

  @Inject Pool pool;
  @Inject Clock clock;
  @Inject ObjectMapper json;
  @Inject MeterRegistry registry;
  @Inject OutcomeProjector projector;
  @Inject io.ares.platform.AresConfig config;

  /** What the locked read found and the verdict decided. */
  private record Written(Map<String, Object> verdict, Long outcomeId, boolean completed) {}

  /**
   * Judges and records the evidence when it is the common case; the first verdict for an identical resubmission; a
   * 4xx for a refused one; {@code null} when the general path must do it.
   */
  public Uni<Map<String, Object>> submit(UUID assignmentId, JsonNode body, String evidenceHash, Caller caller,
      long started) {
    return PipelinedTx.run(pool, BEGIN, (conn, tx) -> judge(conn, tx, assignmentId, body, evidenceHash, caller, started))
        .flatMap(w -> {
          if (w == null || w.outcomeId() == null) {
            return Uni.createFrom().item(w == null ? null : w.verdict());
          }
          registry.counter("ares_evidence_verdicts_total", "outcome", "valid").increment();
          registry.counter("ares_transitions_total", "machine", "assignment", "to", AssignmentState.SUBMITTED.name())
              .increment();
          registry.counter("ares_transitions_total", "machine", "assignment", "to", AssignmentState.VALIDATED.name())
              .increment();
          if (w.completed()) {
            registry.counter("ares_transitions_total", "machine", "session", "to", SessionState.COMPLETED.name())
                .increment();
          }
          if (!config.reliability().verdictAwaitsRecord()) {
            projector.applyLater(w.outcomeId());
            return Uni.createFrom().item(w.verdict());
          }
          return projector.apply(w.outcomeId())
              .ifNoItem().after(java.time.Duration.ofSeconds(15)).fail()
              // The verdict is committed; an outcome not applied now stays queued for the projector's sweep.
              .onFailure().invoke(e -> LOG.warnf("outcome %d of assignment %s left for the sweep: %s",
                  w.outcomeId(), assignmentId, e.getMessage()))
              .onFailure().recoverWithNull()
              .replaceWith(w.verdict());
        });
  }

  private Uni<Written> judge(SqlConnection conn, PipelinedTx tx, UUID assignmentId, JsonNode body, String evidenceHash, Caller caller,
      long started) {
    // Sent together with BEGIN (pipelined on the connection); nothing is locked while the verdict is judged.
    return conn.preparedQuery(READ).execute(Tuple.of(assignmentId)).flatMap(rows -> {
      if (rows.size() == 0) {
        return Uni.createFrom().failure(ApiException.notFound("assignment " + assignmentId));
      }
      Row mine = rows.iterator().next();
      String agentId = mine.getString("agent_id");
      if (!caller.isAgent(agentId)) {
        return Uni.createFrom().failure(
            ApiException.forbidden("only agent " + agentId + " may act on this assignment"));
      }
      AssignmentState from = AssignmentState.valueOf(mine.getString("state"));
      String judged = mine.getString("evidence_hash");
      if (judged != null) {
        Object verdict = mine.getValue("verdict");
        if (judged.equals(evidenceHash) && verdict instanceof JsonObject v) {
          @SuppressWarnings("unchecked")
          Map<String, Object> first = v.mapTo(Map.class);
          return Uni.createFrom().item(new Written(first, null, false));
        }
        return Uni.createFrom().failure(ApiException.conflict(
            "a different evidence was already judged for this assignment").with("current_state", from.name()));
      }
      AssignmentState submitted = AssignmentMachine.TABLE.next(from, AssignmentEvent.SUBMIT_EVIDENCE);
      SessionState sessionState = SessionState.valueOf(mine.getString("session_state"));
      if (!sessionState.isOpen()) {
        return Uni.createFrom().nullItem();
      }
      // The judgment's time, taken before the lock: a verdict that then waited for it may carry an `at` a few ms
      // earlier than an event of the session committed meanwhile (the timeline's order is the events' seq).
      Instant now = clock.instant();
      Instant delegatedAt = instant(mine, "delegated_at");
      String[] proofs = mine.getArrayOfStrings("proofs");
      Verdict v = EvidenceValidator.validate(body, new EvidenceValidator.Facts(mine.getString("task_id"), delegatedAt,
          criteria(mine.getValue("criteria")), proofs == null ? List.of() : Arrays.asList(proofs)), now);
      if (!v.overallSuccess()) {
        return Uni.createFrom().nullItem();
      }
      AssignmentState validated = AssignmentMachine.TABLE.next(submitted, AssignmentEvent.EVIDENCE_VALID);
      // The state the session takes if this verdict reaches the quorum; whether it does is counted under the lock.
      java.util.Optional<SessionState> reached = SessionMachine.TABLE.tryNext(sessionState, SessionEvent.QUORUM_VALIDATED);
      if (reached.isEmpty()) {
        return Uni.createFrom().nullItem();
      }
      SessionState completed = reached.get();
      Map<String, Object> verdict = verdictBody(assignmentId, agentId, mine.getString("task_id"), v,
          (System.nanoTime() - started) / 1_000_000, now);
      Long responseMs = delegatedAt == null ? null : Duration.between(delegatedAt, now).toMillis();
      UUID sessionId = mine.getUUID("session_id");
      List<Object> params = new ArrayList<>(16);
      params.addAll(Arrays.asList(assignmentId, DirectTransitions.utc(now), evidenceHash, text(body), text(verdict),
          mine.getLong("version"), sessionId, caller.actor(), sessionState.name(), from.name(),
          text(Map.of("evidence_hash", evidenceHash)), agentId, responseMs, submitted.name(), validated.name(),
          completed.name()));
      // The lock, the write and COMMIT in one round trip.
      Uni<RowSet<Row>> lock = conn.preparedQuery(LOCK).execute(Tuple.of(sessionId));
      Uni<RowSet<Row>> write = tx.commitWith(conn.preparedQuery(WRITE_VALID).execute(Tuple.from(params)));
      return Uni.combine().all().unis(lock, write).asTuple().flatMap(both -> {
        Row w = both.getItem2().iterator().next();
        Long outcomeId = w.getLong("outcome_id");
        if (outcomeId != null) {
          return Uni.createFrom().item(new Written(verdict, outcomeId, Boolean.TRUE.equals(w.getBoolean("completes"))));
        }
        if (Boolean.TRUE.equals(w.getBoolean("general"))) {
          // This verdict completes the quorum while other work is open: the general path cancels it.
          return Uni.createFrom().nullItem();
        }
        // The assignment or the session changed after the read (nothing was written, the commit only let the lock
        // go): this attempt is retried on fresh rows.
        return Uni.createFrom().failure(new StaleStateException("assignment " + assignmentId + " changed"));
      });
    });
  }

  /** The verdict as the API answers it and the assignment keeps it (SPEC §3). */
  static Map<String, Object> verdictBody(UUID assignmentId, String agentId, String taskId, Verdict v, long ms,
      Instant now) {
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("assignment_id", assignmentId.toString());
    verdict.put("agent_id", agentId);
    verdict.put("task_id", taskId);
    verdict.put("completion_valid", v.completionValid());
    verdict.put("proof_valid", v.proofValid());
    verdict.put("overall_success", v.overallSuccess());
    verdict.put("reasons", v.reasons());
    verdict.put("verification_time_ms", ms);
    verdict.put("timestamp", now.toString());
    return verdict;
  }

  /** The task's {@code success_criteria} object as metric name → condition text (anything else: none). */
  static Map<String, String> criteria(Object successCriteria) {
    Map<String, String> criteria = new LinkedHashMap<>();
    if (successCriteria instanceof JsonObject o) {
      o.getMap().forEach((k, v) -> criteria.put(k, String.valueOf(v)));
    } else if (successCriteria instanceof Map<?, ?> m) {
      m.forEach((k, v) -> criteria.put(String.valueOf(k), String.valueOf(v)));
    }
    return criteria;
  }

  private String text(Object value) {
    return io.ares.platform.JsonText.of(json, value);
  }

  private static Instant instant(Row r, String column) {
    var t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
