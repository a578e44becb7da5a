package io.ares.console;

import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.ares.session.CoordinationSession;
import io.ares.session.SessionState;
import io.ares.session.TimelineEvent;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The console's read model: the dashboard's aggregates (each one grouped or limited SQL query over an index, run
 * by {@link DashboardSnapshot} on the connection of its read-only transaction) and the few reads the services do
 * not offer. Read only.
 */
@ApplicationScoped
public class ConsoleReads {

  /** Session states that mean "this session failed" on the dashboard. */
  static final List<String> FAILED_STATES = List.of("COMPENSATING", "ROLLED_BACK", "COMPENSATION_FAILED");

  @Inject Pool pool;

  /**
   * A session that went to compensation, on the dashboard: {@code rootCause} is {@link RootCause}'s sentence,
   * {@code cancelled} marks an operator's (or coordinator's) cancel, which is not a failure.
   */
  public record FailedSession(UUID sessionId, String state, String cause, String causeDetail, String coordinatorId,
      Instant updatedAt, String rootCause, boolean cancelled) {}

  /** A settled compensation on the dashboard. */
  public record SettledCompensation(UUID sessionId, UUID assignmentId, String agentId, String outcome, String key,
      Instant at) {}

  public Uni<Map<String, Long>> sessionsByState(SqlClient db) {
    return counts(db, "SELECT state, count(*) AS n FROM coordination_session GROUP BY state");
  }

  public Uni<Map<String, Long>> agentsByStatus(SqlClient db) {
    return counts(db, "SELECT status AS state, count(*) AS n FROM agent GROUP BY status");
  }

  private static Uni<Map<String, Long>> counts(SqlClient db, String sql) {
    return db.query(sql).execute().map(rows -> {
      Map<String, Long> out = new HashMap<>();
      for (Row r : rows) {
        out.put(r.getString("state"), r.getLong("n"));
      }
      return out;
    });
  }

  /**
   * Sessions that went to compensation, most recently changed first (partial index of V5), each with its root-cause
   * sentence: two more queries, over the assignments of those few sessions and their sessions' entries into
   * COMPENSATING (both by the session_id indexes).
   */
  public Uni<List<FailedSession>> recentFailures(SqlClient db, int limit) {
    return db.preparedQuery(
            "SELECT session_id, state, cause, cause_detail, coordinator_id, updated_at, quorum FROM coordination_session "
                + "WHERE state = ANY($1) ORDER BY updated_at DESC LIMIT $2")
        .execute(Tuple.of(FAILED_STATES.toArray(new String[0]), limit))
        .flatMap(rows -> {
          List<CoordinationSession> sessions = new ArrayList<>();
          for (Row r : rows) {
            CoordinationSession s = new CoordinationSession();
            s.sessionId = r.getUUID("session_id");
            s.state = SessionState.valueOf(r.getString("state"));
            s.cause = r.getString("cause");
            s.causeDetail = r.getString("cause_detail");
            s.coordinatorId = r.getString("coordinator_id");
            s.updatedAt = instant(r, "updated_at");
            s.quorum = r.getInteger("quorum");
            sessions.add(s);
          }
          if (sessions.isEmpty()) {
            return Uni.createFrom().item(List.<FailedSession>of());
          }
          UUID[] ids = sessions.stream().map(s -> s.sessionId).toArray(UUID[]::new);
          return rootCauseAssignments(db, ids).flatMap(assignments -> compensationEntries(db, ids).map(events -> {
            List<FailedSession> out = new ArrayList<>();
            for (CoordinationSession s : sessions) {
              out.add(new FailedSession(s.sessionId, s.state.name(), s.cause, s.causeDetail, s.coordinatorId,
                  s.updatedAt, RootCause.of(s, assignments.getOrDefault(s.sessionId, List.of()),
                      events.getOrDefault(s.sessionId, List.of())), RootCause.cancelled(s.cause)));
            }
            return out;
          }));
        });
  }

  /** The columns of these sessions' assignments that {@link RootCause} reads. */
  private static Uni<Map<UUID, List<Assignment>>> rootCauseAssignments(SqlClient db, UUID[] sessionIds) {
    return db.preparedQuery("SELECT session_id, agent_id, state, ended_at, verdict, failure_code, failure_message, "
            + "compensation_detail FROM assignment WHERE session_id = ANY($1) ORDER BY session_id, created_at")
        .execute(Tuple.of(sessionIds))
        .map(rows -> {
          Map<UUID, List<Assignment>> out = new HashMap<>();
          for (Row r : rows) {
            Assignment a = new Assignment();
            a.sessionId = r.getUUID("session_id");
            a.agentId = r.getString("agent_id");
            a.state = AssignmentState.valueOf(r.getString("state"));
            a.endedAt = instant(r, "ended_at");
            Object verdict = r.getValue("verdict");
            a.verdict = verdict instanceof io.vertx.core.json.JsonObject j ? j.getMap() : null;
            a.failureCode = r.getString("failure_code");
            a.failureMessage = r.getString("failure_message");
            a.compensationDetail = r.getString("compensation_detail");
            out.computeIfAbsent(a.sessionId, k -> new ArrayList<>()).add(a);
          }
          return out;
        });
  }

  /** Each session's entry into COMPENSATING (who cancelled, or which rule failed it). */
  private static Uni<Map<UUID, List<TimelineEvent>>> compensationEntries(SqlClient db, UUID[] sessionIds) {
    return db.preparedQuery("SELECT session_id, from_state, to_state, cause, actor FROM session_event "
            + "WHERE session_id = ANY($1) AND entity = 'session' AND to_state = 'COMPENSATING' ORDER BY session_id, seq")
        .execute(Tuple.of(sessionIds))
        .map(rows -> {
          Map<UUID, List<TimelineEvent>> out = new HashMap<>();
          for (Row r : rows) {
            TimelineEvent e = new TimelineEvent();
            e.sessionId = r.getUUID("session_id");
            e.entity = "session";
            e.fromState = r.getString("from_state");
            e.toState = r.getString("to_state");
            e.cause = r.getString("cause");
            e.actor = r.getString("actor");
            out.computeIfAbsent(e.sessionId, k -> new ArrayList<>()).add(e);
          }
          return out;
        });
  }

  /**
   * Compensations settled (COMPENSATED or COMPENSATION_FAILED) since {@code since}, newest first: a backward scan
   * of the partial index of V6 (without it the query read every event of the day when there were few rollbacks).
   */
  public Uni<List<SettledCompensation>> recentRollbacks(SqlClient db, Instant since, int limit) {
    return db.preparedQuery(
            "SELECT e.session_id, e.entity_id, e.to_state, e.at, a.agent_id, a.compensation_key "
                + "FROM session_event e JOIN assignment a ON a.assignment_id = e.entity_id "
                + "WHERE e.at >= $1 AND e.entity = 'assignment' AND e.to_state IN ('COMPENSATED', 'COMPENSATION_FAILED') "
                + "ORDER BY e.at DESC, e.seq DESC LIMIT $2")
        .execute(Tuple.of(OffsetDateTime.ofInstant(since, ZoneOffset.UTC), limit))
        .map(rows -> {
          List<SettledCompensation> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new SettledCompensation(r.getUUID("session_id"), r.getUUID("entity_id"), r.getString("agent_id"),
                r.getString("to_state"), r.getString("compensation_key"), instant(r, "at")));
          }
          return out;
        });
  }

  /**
   * Sessions completed and failed per minute (epoch minute to counts) from {@code from} on, minutes without any
   * left out: one grouped query over the partial index of V6, which holds only the sessions' end events.
   */
  public Uni<Map<Long, ThroughputWindow.Counts>> throughputByMinute(SqlClient db, Instant from) {
    return db.preparedQuery(
            "SELECT floor(extract(epoch FROM at) / 60)::bigint AS minute, "
                + "count(*) FILTER (WHERE to_state = 'COMPLETED') AS completed, "
                + "count(*) FILTER (WHERE to_state = 'COMPENSATING' AND from_state IN ('INITIALIZING', 'IN_PROGRESS')) AS failed "
                + "FROM session_event WHERE at >= $1 AND entity = 'session' AND to_state IN ('COMPLETED', 'COMPENSATING') "
                + "GROUP BY minute")
        .execute(Tuple.of(OffsetDateTime.ofInstant(from, ZoneOffset.UTC)))
        .map(rows -> {
          Map<Long, ThroughputWindow.Counts> out = new HashMap<>();
          for (Row r : rows) {
            out.put(r.getLong("minute"), new ThroughputWindow.Counts(r.getLong("completed"), r.getLong("failed")));
          }
          return out;
        });
  }

  /** An agent's assignments that are still open or owe a compensation, newest first. */
  @WithSession
  public Uni<List<Assignment>> currentAssignments(String agentId, int limit) {
    var states = EnumSet.copyOf(AssignmentState.OPEN);
    states.add(AssignmentState.COMPENSATING);
    return Assignment.<Assignment>find("agentId = ?1 and state in ?2 order by createdAt desc", agentId, states)
        .page(0, limit).list();
  }

  /** A task rollback (checkpoint package) of a compensated task. */
  public record TaskRollback(String taskId, UUID checkpointId, Instant at, String reason) {}

  /** The rollbacks of these tasks, in the order they happened (one query over the (task_id, seq) index). */
  public Uni<Map<String, List<TaskRollback>>> taskRollbacks(List<String> taskIds) {
    if (taskIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return pool.preparedQuery("SELECT task_id, checkpoint_id, rolled_back_at, reason FROM task_rollback "
            + "WHERE task_id = ANY($1) ORDER BY task_id, seq")
        .execute(Tuple.of(taskIds.toArray(new String[0])))
        .map(rows -> {
          Map<String, List<TaskRollback>> out = new HashMap<>();
          for (Row r : rows) {
            TaskRollback t = new TaskRollback(r.getString("task_id"), r.getUUID("checkpoint_id"),
                instant(r, "rolled_back_at"), r.getString("reason"));
            out.computeIfAbsent(t.taskId(), k -> new ArrayList<>()).add(t);
          }
          return out;
        });
  }

  static Instant instant(Row r, String column) {
    Object v = r.getValue(column);
    if (v == null) {
      return null;
    }
    if (v instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (v instanceof java.time.LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    }
    return Instant.parse(v.toString());
  }

  /** Fills in zero for every key not present, keeping the given order. */
  static Map<String, Long> complete(Map<String, Long> counts, List<String> keys) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, counts.getOrDefault(k, 0L));
    }
    return out;
  }
}
