package io.ares.console;

import io.ares.session.Assignment;
import io.ares.session.AssignmentState;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * The console's read model: the dashboard's aggregates (each one grouped or limited SQL query over an index, on
 * the reactive pool) and the few reads the services do not offer. Read only.
 */
@ApplicationScoped
public class ConsoleReads {

  /** Session states that mean "this session failed" on the dashboard. */
  static final List<String> FAILED_STATES = List.of("COMPENSATING", "ROLLED_BACK", "COMPENSATION_FAILED");

  @Inject Pool pool;

  /** A failed session on the dashboard. */
  public record FailedSession(UUID sessionId, String state, String cause, String causeDetail, String coordinatorId,
      Instant updatedAt) {}

  /** A settled compensation on the dashboard. */
  public record SettledCompensation(UUID sessionId, UUID assignmentId, String agentId, String outcome, String key,
      Instant at) {}

  public Uni<Map<String, Long>> sessionsByState() {
    return counts("SELECT state, count(*) AS n FROM coordination_session GROUP BY state");
  }

  public Uni<Map<String, Long>> agentsByStatus() {
    return counts("SELECT status AS state, count(*) AS n FROM agent GROUP BY status");
  }

  private Uni<Map<String, Long>> counts(String sql) {
    return pool.query(sql).execute().map(rows -> {
      Map<String, Long> out = new HashMap<>();
      for (Row r : rows) {
        out.put(r.getString("state"), r.getLong("n"));
      }
      return out;
    });
  }

  /** Sessions that went to compensation, most recently changed first. */
  public Uni<List<FailedSession>> recentFailures(int limit) {
    return pool.preparedQuery(
            "SELECT session_id, state, cause, cause_detail, coordinator_id, updated_at FROM coordination_session "
                + "WHERE state = ANY($1) ORDER BY updated_at DESC LIMIT $2")
        .execute(Tuple.of(FAILED_STATES.toArray(new String[0]), limit))
        .map(rows -> {
          List<FailedSession> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new FailedSession(r.getUUID("session_id"), r.getString("state"), r.getString("cause"),
                r.getString("cause_detail"), r.getString("coordinator_id"), instant(r, "updated_at")));
          }
          return out;
        });
  }

  /** Compensations settled (COMPENSATED or COMPENSATION_FAILED) since {@code since}, newest first (event index). */
  public Uni<List<SettledCompensation>> recentRollbacks(Instant since, int limit) {
    return pool.preparedQuery(
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
   * Sessions completed and failed per bucket of {@code minutes} from {@code from} (aligned to a bucket boundary),
   * {@code buckets} buckets, oldest first: one grouped query over the event log's time index.
   */
  public Uni<List<Charts.Bucket>> throughput(Instant from, int buckets, int minutes) {
    long size = minutes * 60L;
    long first = from.getEpochSecond() / size;
    return pool.preparedQuery(
            "SELECT floor(extract(epoch FROM at) / $2)::bigint AS bucket, "
                + "count(*) FILTER (WHERE to_state = 'COMPLETED') AS completed, "
                + "count(*) FILTER (WHERE to_state = 'COMPENSATING' AND from_state IN ('INITIALIZING', 'IN_PROGRESS')) AS failed "
                + "FROM session_event WHERE at >= $1 AND entity = 'session' AND to_state IN ('COMPLETED', 'COMPENSATING') "
                + "GROUP BY bucket")
        .execute(Tuple.of(OffsetDateTime.ofInstant(Instant.ofEpochSecond(first * size), ZoneOffset.UTC), size))
        .map(rows -> {
          Map<Long, long[]> byBucket = new HashMap<>();
          for (Row r : rows) {
            byBucket.put(r.getLong("bucket"), new long[] {r.getLong("completed"), r.getLong("failed")});
          }
          List<Charts.Bucket> out = new ArrayList<>();
          for (long b = first; b < first + buckets; b++) {
            long[] v = byBucket.getOrDefault(b, new long[2]);
            out.add(new Charts.Bucket(Instant.ofEpochSecond(b * size), v[0], v[1]));
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
