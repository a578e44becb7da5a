package io.ares.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.delivery.AgentMessage;
import io.ares.evidence.EvidenceValidator;
import io.ares.evidence.Verdict;
import io.ares.platform.ApiException;
import io.ares.platform.GroupCommit;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The common case of an agent's evidence — the first submission, valid, and either the session stays open or its
 * quorum is reached with nothing else open — in three prepared statements on the reactive pool instead of through the
 * entities, for every evidence that arrived while the previous batch ran (group commit, {@link GroupCommit}): one
 * statement reads the batch's assignments, their sessions and their agents' proof requirements, unlocked, and each
 * verdict is judged from it; then one locks the batch's sessions (in id order, as the engine locks them) and one
 * checks, for each verdict, what the read decided on the rows as they are now and writes SUBMITTED → VALIDATED (and,
 * when it is the quorum, IN_PROGRESS → COMPLETED) with its event rows, closes the delegation, gives the agent's
 * capacity back and queues the reliability outcome. Two round trips per batch: BEGIN and the read go together, then
 * the lock, the write and COMMIT ({@link PipelinedTx}); the sessions are locked only for the second. A batch writes
 * at most one verdict per session (the quorum of each is counted on the rows as they are, so a second verdict of the
 * same session waits for the next batch), and one per assignment (a repeat waits for the next batch too, which
 * answers it as a resubmission). Everything else (a rejected verdict, a completion that must cancel open work) is
 * answered {@code null}, and {@link SessionService} runs the general path, which applies the same rules through
 * {@link SessionEngine}; so is every submission of a batch that failed as a whole.
 *
 * <p>Same rules, same transaction boundaries per verdict: the transitions come from the tables, the session rows are
 * locked as the engine locks them, each assignment row is written under its version (a concurrent ACK, which does not
 * take the session lock, makes that verdict try again on fresh rows in the next batch), and the reliability outcome
 * is inserted in this transaction and handed to {@link OutcomeProjector} after the commit (the answer waits for it
 * only with {@code ares.reliability.verdict-awaits-record}). The verdicts of a batch commit together.
 */
@ApplicationScoped
public class DirectEvidence {

  private static final Logger LOG = Logger.getLogger(DirectEvidence.class);

  /**
   * The assignments, their sessions and the submitters' proof requirements, read before any lock: the verdicts are
   * judged from them while nothing is held. The sessions' other assignments are not read here: the quorum is counted
   * under the lock by {@link #WRITE_VALID}, which also checks each assignment's version and its session's state.
   */
  static final String READ =
      "SELECT s.session_id, s.state AS session_state, s.task -> 'success_criteria' AS criteria, "
          + "a.assignment_id, a.agent_id, a.task_id, a.state, a.delegated_at, a.evidence_hash, a.verdict, a.version, "
          + "(SELECT g.proof_requirements FROM agent g WHERE g.agent_id = a.agent_id) AS proofs "
          + "FROM assignment a JOIN coordination_session s ON s.session_id = a.session_id "
          + "WHERE a.assignment_id = ANY($1::uuid[])";

  /**
   * Locks the batch's sessions in id order, as the engine does, right before the write: sent with {@link #WRITE_VALID}
   * and COMMIT, so the locks are held for one statement and the commit, never while the application judges. The write
   * is a statement of its own after the lock: under READ COMMITTED a statement that waited for the lock would still
   * see the assignments as they were before it waited, and count the quorum from them.
   */
  static final String LOCK =
      "SELECT 1 FROM coordination_session WHERE session_id = ANY($1::uuid[]) ORDER BY session_id FOR NO KEY UPDATE";

  /**
   * Opens the verdicts' transaction on generic plans ({@link PipelinedTx#BEGIN_GENERIC_PLANS}): left to choose,
   * PostgreSQL planned {@link #READ} afresh on every call (10,352 plans for 10,354 calls, 0.39 ms each, in the sessions
   * benchmark with pg_stat_statements' track_planning), though the generic plan is the same index walk.
   */
  static final String BEGIN = PipelinedTx.BEGIN_GENERIC_PLANS;

  /** The most evidence submissions one batch judges and writes. */
  static final int MAX_PER_BATCH = 64;

  /** How often a verdict whose rows changed between the read and the write is tried again before the general path. */
  static final int MAX_TRIES = 4;

  /** The assignment states that are still open work (counted by the quorum rule in SQL). */
  private static final String OPEN_STATES = AssignmentState.OPEN.stream().map(st -> "'" + st.name() + "'")
      .collect(java.util.stream.Collectors.joining(", "));

  /**
   * The verdicts' writes after the lock, as one statement. For each verdict ({@code b}), first the rule the read
   * decided, checked on the rows as they are now ({@code d}): the session is still in the state read, and this verdict
   * either leaves the quorum short or completes it with nothing else open and no replacement due (any other case writes
   * nothing and is answered to the general path). Then the writes of those that hold ({@code go}): the delegations'
   * message rows before the assignment rows (the order of every writer; a version mismatch writes nothing for that
   * verdict, which is tried again), the events (in each assignment's order), the agents' capacity (rows locked in id
   * order), the sessions that complete, the reliability outcomes. Per verdict: $1 assignment, $3 evidence hash,
   * $4 evidence, $5 verdict, $6 the version read, $7 session, $8 actor, $9 the session's state read, $10 assignment's
   * state before, $11 EVIDENCE_SUBMITTED detail, $12 agent, $13 response time, $16 the session's state when the quorum
   * is reached; for all: $2 now, $14 SUBMITTED, $15 VALIDATED.
   */
  static final String WRITE_VALID =
      "WITH b AS (SELECT * FROM unnest($1::uuid[], $3::varchar[], $4::text[], $5::text[], $6::bigint[], $7::uuid[], "
          + "$8::varchar[], $9::varchar[], $10::varchar[], $11::text[], $12::varchar[], $13::bigint[], $16::varchar[]) "
          + "AS b(assignment_id, evidence_hash, evidence, verdict, version, session_id, actor, session_state, "
          + "from_state, detail, agent_id, response_ms, reached)), "
          + "q AS (SELECT b.assignment_id, k.valid, k.others_open FROM b CROSS JOIN LATERAL ("
          + "SELECT count(*) FILTER (WHERE x.state = '" + AssignmentState.VALIDATED.name() + "') + 1 AS valid, "
          + "coalesce(bool_or(x.state IN (" + OPEN_STATES + ") OR (x.retry_due_at IS NOT NULL AND x.replaced_by IS NULL)), "
          + "false) AS others_open FROM assignment x WHERE x.session_id = b.session_id "
          + "AND x.assignment_id <> b.assignment_id) k), "
          + "d AS (SELECT b.*, s.state = b.session_state AS same, q.valid >= s.quorum AS completes, q.others_open "
          + "FROM b JOIN q ON q.assignment_id = b.assignment_id JOIN coordination_session s ON s.session_id = b.session_id), "
          + "go AS (SELECT * FROM d WHERE same AND NOT (completes AND others_open)), "
          + "m AS (UPDATE agent_message g SET open = false FROM go WHERE g.assignment_id = go.assignment_id AND g.type = '"
          + AgentMessage.DELEGATION + "' AND g.open RETURNING 1), "
          + "u AS (UPDATE assignment a SET state = $15::varchar, acked_at = coalesce(a.acked_at, $2::timestamptz), "
          + "submitted_at = $2::timestamptz, validated_at = $2::timestamptz, ended_at = $2::timestamptz, "
          + "validation_seq = nextval('assignment_validation_seq'), evidence_hash = go.evidence_hash, "
          + "evidence = go.evidence::jsonb, verdict = go.verdict::jsonb, version = a.version + 1 "
          + "FROM go WHERE a.assignment_id = go.assignment_id AND a.version = go.version "
          + "AND (SELECT count(*) FROM m) >= 0 "
          + "RETURNING a.assignment_id, go.session_id, go.agent_id, go.actor, go.session_state, go.from_state, "
          + "go.detail, go.response_ms, go.reached, go.completes), "
          + "ev AS (INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at, detail) "
          + "SELECT session_id, entity, entity_id, from_state, to_state, cause, actor, $2::timestamptz, detail FROM ("
          + "SELECT session_id, 'assignment' AS entity, assignment_id AS entity_id, from_state, $14::varchar AS to_state, "
          + "'EVIDENCE_SUBMITTED' AS cause, actor, detail::jsonb AS detail, assignment_id AS o, 1 AS k FROM u "
          + "UNION ALL SELECT session_id, 'assignment', assignment_id, $14::varchar, $15::varchar, 'EVIDENCE_VALID', '"
          + SessionEngine.ENGINE + "', NULL, assignment_id, 2 FROM u "
          + "UNION ALL SELECT session_id, 'session', session_id, session_state, reached, 'QUORUM_VALIDATED', '"
          + SessionEngine.ENGINE + "', NULL, assignment_id, 3 FROM u WHERE completes) e ORDER BY o, k), "
          + "cl AS (SELECT g.agent_id FROM agent g WHERE g.agent_id IN (SELECT agent_id FROM u) ORDER BY g.agent_id "
          + "FOR NO KEY UPDATE), "
          + "cap AS (UPDATE agent g SET open_assignments = greatest(g.open_assignments - c.n, 0) "
          + "FROM (SELECT agent_id, count(*) AS n FROM u GROUP BY agent_id) c WHERE g.agent_id = c.agent_id "
          + "AND (SELECT count(*) FROM cl) >= 0), "
          + "s AS (UPDATE coordination_session cs SET state = u.reached, cause = 'QUORUM_VALIDATED', "
          + "updated_at = $2::timestamptz, ended_at = $2::timestamptz, version = cs.version + 1 "
          + "FROM u WHERE cs.session_id = u.session_id AND u.completes), "
          + "o AS (INSERT INTO reliability_outcome (agent_id, kind, assignment_id, session_id, response_time_ms, at) "
          + "SELECT agent_id, '" + OutcomeKind.VALIDATED.name() + "', assignment_id, session_id, response_ms, "
          + "$2::timestamptz FROM u ORDER BY assignment_id RETURNING outcome_id, assignment_id) "
          + "SELECT b.assignment_id, o.outcome_id, d.completes, "
          + "coalesce(d.same AND d.completes AND d.others_open, false) AS general "
          + "FROM b LEFT JOIN d ON d.assignment_id = b.assignment_id LEFT JOIN o ON o.assignment_id = b.assignment_id";

  @Inject Pool pool;
  @Inject Clock clock;
  @Inject ObjectMapper json;
  @Inject MeterRegistry registry;
  @Inject OutcomeProjector projector;
  @Inject io.ares.platform.AresConfig config;

  /** One submission waiting for its batch; {@code tries} counts the batches that found its rows changed. */
  private record Submission(UUID assignmentId, JsonNode body, String evidenceHash, Caller caller, long started,
      java.util.concurrent.atomic.AtomicInteger tries) {}

  /** A verdict's answer: the verdict, and the outcome queued when this batch wrote it (null: a resubmission). */
  private record Written(Map<String, Object> verdict, Long outcomeId, boolean completed) {}

  /** A judged verdict to write: its answer and the statement's values for it. */
  private record Planned(GroupCommit.Entry<Submission, Written> entry, Map<String, Object> verdict, UUID sessionId,
      Object[] values) {}

  private final GroupCommit<Submission, Written> batches = new GroupCommit<>(MAX_PER_BATCH, this::writeBatch);

  @jakarta.annotation.PostConstruct
  void meters() {
    batches.measure(registry, "evidence");
  }

  /**
   * Judges and records the evidence when it is the common case; the first verdict for an identical resubmission; a
   * 4xx for a refused one; {@code null} when the general path must do it.
   */
  public Uni<Map<String, Object>> submit(UUID assignmentId, JsonNode body, String evidenceHash, Caller caller,
      long started) {
    return batches.submit(new Submission(assignmentId, body, evidenceHash, caller, started,
            new java.util.concurrent.atomic.AtomicInteger()))
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

  /** What a batch decided for each submission: an answer (a {@link Written} or null) or a refusal. */
  private static final class Outcomes {
    final Map<GroupCommit.Entry<Submission, Written>, Object> answers = new LinkedHashMap<>();
    final List<GroupCommit.Entry<Submission, Written>> again = new ArrayList<>();
  }

  private Uni<Void> writeBatch(List<GroupCommit.Entry<Submission, Written>> batch) {
    // One submission per assignment in a statement; a repeat waits for the next batch.
    Map<UUID, GroupCommit.Entry<Submission, Written>> byAssignment = new LinkedHashMap<>();
    List<GroupCommit.Entry<Submission, Written>> repeats = new ArrayList<>();
    batch.forEach(e -> {
      if (byAssignment.putIfAbsent(e.item().assignmentId(), e) != null) {
        repeats.add(e);
      }
    });
    UUID[] ids = byAssignment.keySet().toArray(UUID[]::new);
    return PipelinedTx.run(pool, BEGIN, (conn, tx) -> judge(conn, tx, ids, byAssignment))
        .invoke(out -> {
          out.answers.forEach((e, answer) -> {
            if (answer instanceof Throwable t) {
              e.fail(t);
            } else {
              e.complete((Written) answer);
            }
          });
          out.again.forEach(batches::resubmit);
          repeats.forEach(batches::resubmit);
        })
        .replaceWithVoid()
        // A batch that failed as a whole (a value PostgreSQL cannot store in one submission, a lost connection) wrote
        // nothing: each of its submissions is judged on its own by the general path, so one agent's bad evidence is
        // that agent's 400 and nobody else's.
        .onFailure().recoverWithItem(err -> {
          LOG.debugf("evidence batch of %d left to the general path: %s", batch.size(), err.getMessage());
          batch.forEach(e -> e.complete(null));
          return null;
        });
  }

  private Uni<Outcomes> judge(SqlConnection conn, PipelinedTx tx, UUID[] ids,
      Map<UUID, GroupCommit.Entry<Submission, Written>> byAssignment) {
    // Sent together with BEGIN (pipelined on the connection); nothing is locked while the verdicts are judged.
    return conn.preparedQuery(READ).execute(Tuple.of(ids)).flatMap(rows -> {
      Map<UUID, Row> read = new HashMap<>();
      rows.forEach(r -> read.put(r.getUUID("assignment_id"), r));
      // The judgment's time, taken before the lock: a verdict that then waited for it may carry an `at` a few ms
      // earlier than an event of the session committed meanwhile (the timeline's order is the events' seq).
      Instant now = clock.instant();
      Outcomes out = new Outcomes();
      List<Planned> planned = new ArrayList<>();
      // The sessions to lock (the LOCK statement sorts them as PostgreSQL orders uuids).
      java.util.Set<UUID> sessions = new java.util.HashSet<>();
      for (GroupCommit.Entry<Submission, Written> e : byAssignment.values()) {
        Row mine = read.get(e.item().assignmentId());
        try {
          Object decided = decide(e, mine, now);
          if (decided instanceof Planned p) {
            if (sessions.add(p.sessionId())) {
              planned.add(p);
            } else {
              out.again.add(e); // a second verdict of that session: counted on the rows the first one leaves
            }
          } else {
            out.answers.put(e, decided);
          }
        } catch (RuntimeException refused) {
          out.answers.put(e, refused);
        }
      }
      if (planned.isEmpty()) {
        return Uni.createFrom().item(out);
      }
      Object[][] columns = new Object[13][planned.size()];
      for (int i = 0; i < planned.size(); i++) {
        Object[] v = planned.get(i).values();
        for (int c = 0; c < columns.length; c++) {
          columns[c][i] = v[c];
        }
      }
      Tuple params = Tuple.tuple();
      params.addValue(uuids(columns[0])).addValue(DirectTransitions.utc(now)).addValue(strings(columns[1]))
          .addValue(strings(columns[2])).addValue(strings(columns[3])).addValue(longs(columns[4]))
          .addValue(uuids(columns[5])).addValue(strings(columns[6])).addValue(strings(columns[7]))
          .addValue(strings(columns[8])).addValue(strings(columns[9])).addValue(strings(columns[10]))
          .addValue(longs(columns[11])).addValue(AssignmentState.SUBMITTED.name())
          .addValue(AssignmentState.VALIDATED.name()).addValue(strings(columns[12]));
      // The lock, the write and COMMIT in one round trip.
      Uni<RowSet<Row>> lock = conn.preparedQuery(LOCK).execute(Tuple.of(sessions.toArray(UUID[]::new)));
      Uni<RowSet<Row>> write = tx.commitWith(conn.preparedQuery(WRITE_VALID).execute(params));
      return Uni.combine().all().unis(lock, write).asTuple().map(both -> {
        Map<UUID, Row> written = new HashMap<>();
        both.getItem2().forEach(r -> written.put(r.getUUID("assignment_id"), r));
        for (Planned p : planned) {
          Row w = written.get(p.entry().item().assignmentId());
          Long outcomeId = w == null ? null : w.getLong("outcome_id");
          if (outcomeId != null) {
            out.answers.put(p.entry(), new Written(p.verdict(), outcomeId, Boolean.TRUE.equals(w.getBoolean("completes"))));
          } else if (w != null && Boolean.TRUE.equals(w.getBoolean("general"))) {
            // This verdict completes the quorum while other work is open: the general path cancels it.
            out.answers.put(p.entry(), null);
          } else if (p.entry().item().tries().incrementAndGet() < MAX_TRIES) {
            // The assignment or the session changed after the read (nothing was written for it): the next batch
            // tries it again on fresh rows.
            out.again.add(p.entry());
          } else {
            out.answers.put(p.entry(), null);
          }
        }
        return out;
      });
    });
  }

  /**
   * One submission judged from the read: a refusal (thrown), the first verdict again (a resubmission), null (the
   * general path), or a {@link Planned} write.
   */
  private Object decide(GroupCommit.Entry<Submission, Written> e, Row mine, Instant now) {
    Submission sub = e.item();
    if (mine == null) {
      throw ApiException.notFound("assignment " + sub.assignmentId());
    }
    String agentId = mine.getString("agent_id");
    if (!sub.caller().isAgent(agentId)) {
      throw ApiException.forbidden("only agent " + agentId + " may act on this assignment");
    }
    AssignmentState from = AssignmentState.valueOf(mine.getString("state"));
    String judged = mine.getString("evidence_hash");
    if (judged != null) {
      Object verdict = mine.getValue("verdict");
      if (judged.equals(sub.evidenceHash()) && verdict instanceof JsonObject v) {
        @SuppressWarnings("unchecked")
        Map<String, Object> first = v.mapTo(Map.class);
        return new Written(first, null, false);
      }
      throw ApiException.conflict("a different evidence was already judged for this assignment")
          .with("current_state", from.name());
    }
    AssignmentState submitted = AssignmentMachine.TABLE.next(from, AssignmentEvent.SUBMIT_EVIDENCE);
    SessionState sessionState = SessionState.valueOf(mine.getString("session_state"));
    if (!sessionState.isOpen()) {
      return null;
    }
    Instant delegatedAt = instant(mine, "delegated_at");
    String[] proofs = mine.getArrayOfStrings("proofs");
    Verdict v = EvidenceValidator.validate(sub.body(), new EvidenceValidator.Facts(mine.getString("task_id"),
        delegatedAt, criteria(mine.getValue("criteria")), proofs == null ? List.of() : Arrays.asList(proofs)), now);
    if (!v.overallSuccess()) {
      return null;
    }
    AssignmentMachine.TABLE.next(submitted, AssignmentEvent.EVIDENCE_VALID);
    // The state the session takes if this verdict reaches the quorum; whether it does is counted under the lock.
    java.util.Optional<SessionState> reached = SessionMachine.TABLE.tryNext(sessionState, SessionEvent.QUORUM_VALIDATED);
    if (reached.isEmpty()) {
      return null;
    }
    Map<String, Object> verdict = verdictBody(sub.assignmentId(), agentId, mine.getString("task_id"), v,
        (System.nanoTime() - sub.started()) / 1_000_000, now);
    Long responseMs = delegatedAt == null ? null : Duration.between(delegatedAt, now).toMillis();
    return new Planned(e, verdict, mine.getUUID("session_id"), new Object[] {sub.assignmentId(), sub.evidenceHash(), text(sub.body()),
        text(verdict), mine.getLong("version"), mine.getUUID("session_id"), sub.caller().actor(), sessionState.name(),
        from.name(), text(Map.of("evidence_hash", sub.evidenceHash())), agentId, responseMs, reached.get().name()});
  }

  private static UUID[] uuids(Object[] values) {
    return Arrays.copyOf(values, values.length, UUID[].class);
  }

  private static String[] strings(Object[] values) {
    return Arrays.copyOf(values, values.length, String[].class);
  }

  private static Long[] longs(Object[] values) {
    return Arrays.copyOf(values, values.length, Long[].class);
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
