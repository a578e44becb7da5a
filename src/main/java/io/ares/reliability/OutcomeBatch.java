package io.ares.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.agent.AgentStatus;
import io.ares.platform.AresConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Applies a batch of queued outcomes to the reliability record in five prepared statements on the reactive pool,
 * whatever the batch's size: the agents' reliability locks, one read of the agents and their running aggregates,
 * one read of the sums of the results that left their windows, and one statement that inserts the results and
 * score points, writes the aggregates and scores and deletes the queued rows. The rules are
 * {@link ReliabilityService}'s, applied to the same objects in the same order ({@link ReliabilityService#prepare},
 * {@link ReliabilityState#add}, {@link ScoreModel}); only the writing differs.
 *
 * <p>It takes the common case only: outcomes that raise no incident and leave every agent clear of automatic
 * quarantine. For any other batch {@link #apply} answers {@code false} before writing anything, and the projector
 * applies it through {@link ReliabilityService#recordAll}.
 */
@ApplicationScoped
class OutcomeBatch {

  /** The agents' reliability locks, in agent id order (as {@link ReliabilityService#lockRecords} takes them). */
  static final String LOCK =
      "SELECT count(pg_advisory_xact_lock(" + ReliabilityService.ADVISORY_CLASS + ", hashtext(id))) "
          + "FROM (SELECT id FROM unnest($1::varchar[]) AS id ORDER BY id) ordered";

  /** The agents and their running aggregates (an agent without a row yet has NULLs). */
  static final String LOAD =
      "SELECT a.agent_id, a.status, s.agent_id AS has_state, s.origin_at, s.expired_through, s.results, s.successes, "
          + "s.failure_weight, s.rt_samples, s.rt_sum_t, s.rt_sum_y, s.rt_sum_tt, s.rt_sum_ty, s.outliers, s.bursts, "
          + "s.kind_counts::text AS kind_counts, s.baseline_ms, s.run_failures_ms, s.run_flagged, s.score "
          + "FROM agent a LEFT JOIN reliability_state s ON s.agent_id = a.agent_id WHERE a.agent_id = ANY($1::varchar[])";

  /** The sums, by kind, of an agent's results in each interval (from, to] that left its window ($1 numbers them). */
  static final String EXPIRED =
      "SELECT x.n, e.* FROM unnest($1::int[], $2::varchar[], $3::timestamptz[], $4::timestamptz[]) AS x(n, agent_id, f, t) "
          // LATERAL: one range scan of the (agent_id, at) index per interval (a join was planned as a scan of the table).
          + "CROSS JOIN LATERAL (SELECT r.kind, count(*) AS all_n, count(*) FILTER (WHERE r.counted) AS counted, "
          + "count(*) FILTER (WHERE r.counted AND r.success) AS successes, sum(r.failure_weight) AS failure_weight, "
          + "count(r.t_days) AS rt_samples, sum(r.t_days) AS sum_t, "
          + "sum(CASE WHEN r.t_days IS NOT NULL THEN r.response_time_ms::float8 ELSE 0.0 END) AS sum_y, "
          + "sum(r.t_days * r.t_days) AS sum_tt, sum(r.t_days * r.response_time_ms) AS sum_ty, "
          + "count(*) FILTER (WHERE r.counted AND r.outlier_detail IS NOT NULL) AS outliers, "
          + "count(*) FILTER (WHERE r.counted AND r.burst_detail IS NOT NULL) AS bursts "
          + "FROM reliability_result r WHERE r.agent_id = x.agent_id AND r.at > x.f AND r.at <= x.t GROUP BY r.kind) e";

  /** Results (ids drawn here, in the batch's order), their score points, the aggregates, the scores, the queue. */
  static final String WRITE =
      "WITH x AS (SELECT nextval('reliability_result_result_id_seq') AS result_id, x.* "
          + "FROM unnest($1::varchar[], $2::varchar[], $3::bool[], $4::bool[], $5::float8[], $6::uuid[], $7::uuid[], "
          + "$8::int8[], $9::float8[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::float8[]) "
          + "WITH ORDINALITY AS x(agent_id, kind, success, counted, failure_weight, assignment_id, session_id, "
          + "response_time_ms, t_days, outlier_detail, burst_detail, detail, at, score, n) ORDER BY n), "
          + "r AS (INSERT INTO reliability_result (result_id, agent_id, kind, success, counted, failure_weight, "
          + "assignment_id, session_id, response_time_ms, t_days, outlier_detail, burst_detail, detail, at) "
          + "SELECT result_id, agent_id, kind, success, counted, failure_weight, assignment_id, session_id, "
          + "response_time_ms, t_days, outlier_detail, burst_detail, detail, at FROM x ORDER BY n), "
          + "p AS (INSERT INTO reliability_score_point (agent_id, at, result_id, score) "
          + "SELECT agent_id, at, result_id, score FROM x ORDER BY n), "
          + "st AS (INSERT INTO reliability_state (agent_id, origin_at, expired_through, results, successes, "
          + "failure_weight, rt_samples, rt_sum_t, rt_sum_y, rt_sum_tt, rt_sum_ty, outliers, bursts, kind_counts, "
          + "baseline_ms, run_failures_ms, run_flagged, score, updated_at) "
          + "SELECT agent_id, origin_at, expired_through, results, successes, failure_weight, rt_samples, rt_sum_t, "
          + "rt_sum_y, rt_sum_tt, rt_sum_ty, outliers, bursts, kind_counts::jsonb, baseline_ms::bigint[], "
          + "run_failures_ms::bigint[], run_flagged, score, updated_at "
          + "FROM unnest($15::varchar[], $16::timestamptz[], $17::timestamptz[], $18::int[], $19::int[], $20::float8[], "
          + "$21::int[], $22::float8[], $23::float8[], $24::float8[], $25::float8[], $26::int[], $27::int[], "
          + "$28::text[], $29::text[], $30::text[], $31::bool[], $32::float8[], $33::timestamptz[]) "
          + "AS s(agent_id, origin_at, expired_through, results, successes, failure_weight, rt_samples, rt_sum_t, "
          + "rt_sum_y, rt_sum_tt, rt_sum_ty, outliers, bursts, kind_counts, baseline_ms, run_failures_ms, run_flagged, "
          + "score, updated_at) "
          + "ON CONFLICT (agent_id) DO UPDATE SET origin_at = EXCLUDED.origin_at, "
          + "expired_through = EXCLUDED.expired_through, results = EXCLUDED.results, successes = EXCLUDED.successes, "
          + "failure_weight = EXCLUDED.failure_weight, rt_samples = EXCLUDED.rt_samples, rt_sum_t = EXCLUDED.rt_sum_t, "
          + "rt_sum_y = EXCLUDED.rt_sum_y, rt_sum_tt = EXCLUDED.rt_sum_tt, rt_sum_ty = EXCLUDED.rt_sum_ty, "
          + "outliers = EXCLUDED.outliers, bursts = EXCLUDED.bursts, kind_counts = EXCLUDED.kind_counts, "
          + "baseline_ms = EXCLUDED.baseline_ms, run_failures_ms = EXCLUDED.run_failures_ms, "
          + "run_flagged = EXCLUDED.run_flagged, score = EXCLUDED.score, updated_at = EXCLUDED.updated_at), "
          + "ag AS (UPDATE agent a SET reliability_score = s.score, version = a.version + 1 "
          + "FROM unnest($15::varchar[], $32::float8[]) AS s(agent_id, score) WHERE a.agent_id = s.agent_id), "
          + "d AS (DELETE FROM reliability_outcome WHERE outcome_id = ANY($34::bigint[])) "
          + "SELECT count(*) AS n FROM x";

  @Inject AresConfig config;
  @Inject java.time.Clock clock;
  @Inject ReliabilityMetrics metrics;
  @Inject ObjectMapper json;

  /** An agent of the batch: its status and its aggregates as they move through the batch. */
  private static final class AgentState {
    final String agentId;
    final AgentStatus status;
    ReliabilityState state;

    AgentState(String agentId, AgentStatus status, ReliabilityState state) {
      this.agentId = agentId;
      this.status = status;
      this.state = state;
    }
  }

  /** An interval of an agent's results that leaves its window before outcome {@code index} is applied. */
  private record Expiry(int index, String agentId, Instant from, Instant to) {}

  /**
   * Applies the claimed outcomes (in agent id order, then queue order) and deletes their queue rows ({@code ids}),
   * in the caller's transaction on {@code conn}. False when the batch is not the common case: nothing was written.
   */
  Uni<Boolean> apply(SqlConnection conn, List<Outcome> outcomes, Long[] ids) {
    if (outcomes.stream().anyMatch(o -> IncidentClassifier.classify(o.kind()).isPresent())) {
      return Uni.createFrom().item(false);
    }
    String[] agentIds = outcomes.stream().map(Outcome::agentId).distinct().sorted().toArray(String[]::new);
    return conn.preparedQuery(LOCK).execute(Tuple.of((Object) agentIds))
        .flatMap(x -> conn.preparedQuery(LOAD).execute(Tuple.of((Object) agentIds)))
        .flatMap(rows -> {
          Map<String, AgentState> agents = new HashMap<>();
          for (Row r : rows) {
            agents.put(r.getString("agent_id"), new AgentState(r.getString("agent_id"),
                AgentStatus.valueOf(r.getString("status")), r.getValue("has_state") == null ? null : state(r)));
          }
          // Outcomes of agents that no longer exist are dropped with their queue rows, as the entity path does.
          List<Outcome> kept = outcomes.stream().filter(o -> agents.containsKey(o.agentId())).toList();
          List<Instant> at = kept.stream().map(this::at).toList();
          if (spansWindow(kept, at)) {
            // A result of this batch would leave the window before a later outcome of the batch: the expiry read
            // cannot see rows not yet written, the entity path (which writes each result first) handles it.
            return Uni.createFrom().item(false);
          }
          List<Expiry> expiries = expiries(kept, at, agents);
          Uni<Map<Integer, List<ReliabilityState.Expired>>> expired = expiries.isEmpty()
              ? Uni.createFrom().item(Map.of())
              : readExpired(conn, expiries);
          return expired.flatMap(sums -> {
            Map<Integer, Expiry> byIndex = expiries.stream().collect(Collectors.toMap(Expiry::index, e -> e));
            List<ReliabilityResult> results = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            for (int i = 0; i < kept.size(); i++) {
              Outcome o = kept.get(i);
              Instant t = at.get(i);
              AgentState a = agents.get(o.agentId());
              if (a.state == null) {
                a.state = ReliabilityState.fresh(a.agentId, t, window(), ScoreModel.DEFAULT.priorMean());
              }
              ReliabilityState st = a.state;
              Expiry e = byIndex.get(i);
              if (e != null) {
                for (ReliabilityState.Expired x : sums.getOrDefault(i, List.of())) {
                  st.subtract(x, e.to());
                }
                st.expiredThrough = e.to();
                st.settle();
              }
              boolean inWindow = t.isAfter(st.expiredThrough);
              ReliabilityResult r = ReliabilityService.prepare(a.agentId, a.status, st, o, t);
              if (inWindow) {
                st.add(r);
              }
              double score = ScoreModel.compute(st.inputs()).score();
              st.score = score;
              st.updatedAt = t;
              if (r.counted && EnforcementPolicy.canQuarantine(a.status) && score < config.enforcement().quarantineBelow()) {
                // The quarantine rule must be evaluated: the entity path does that.
                return Uni.createFrom().item(false);
              }
              results.add(r);
              scores.add(score);
            }
            return write(conn, results, scores, agents, ids).invoke(() -> scores.forEach(metrics::score))
                .replaceWith(true);
          });
        });
  }

  private Instant at(Outcome o) {
    // As the entity path takes it.
    return (o.at() != null ? o.at() : clock.instant()).truncatedTo(ChronoUnit.MICROS);
  }

  private Duration window() {
    return config.reliability().window();
  }

  /**
   * The intervals that leave each agent's window as its outcomes are applied in order, as
   * {@link ReliabilityService}'s expiry would move them outcome by outcome.
   */
  private List<Expiry> expiries(List<Outcome> outcomes, List<Instant> at, Map<String, AgentState> agents) {
    Map<String, Instant> through = new HashMap<>();
    List<Expiry> out = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      String agentId = outcomes.get(i).agentId();
      AgentState a = agents.get(agentId);
      Instant cutoff = at.get(i).minus(window());
      // An agent without aggregates gets them fresh at its first outcome: nothing has left that window yet.
      Instant first = at.get(i);
      Instant current = through.computeIfAbsent(agentId,
          k -> a.state != null ? a.state.expiredThrough : first.minus(window()));
      if (cutoff.isAfter(current)) {
        out.add(new Expiry(i, agentId, current, cutoff));
        through.put(agentId, cutoff);
      }
    }
    return out;
  }

  /** True when an outcome's window cutoff reaches an earlier outcome of the same agent in this batch. */
  private boolean spansWindow(List<Outcome> outcomes, List<Instant> at) {
    Map<String, Instant> earliest = new HashMap<>();
    for (int i = 0; i < outcomes.size(); i++) {
      String agentId = outcomes.get(i).agentId();
      Instant first = earliest.get(agentId);
      if (first != null && !first.isAfter(at.get(i).minus(window()))) {
        return true;
      }
      earliest.merge(agentId, at.get(i), (x, y) -> x.isBefore(y) ? x : y);
    }
    return false;
  }

  private Uni<Map<Integer, List<ReliabilityState.Expired>>> readExpired(SqlConnection conn, List<Expiry> expiries) {
    Integer[] n = expiries.stream().map(Expiry::index).toArray(Integer[]::new);
    String[] agent = expiries.stream().map(Expiry::agentId).toArray(String[]::new);
    OffsetDateTime[] from = expiries.stream().map(e -> utc(e.from())).toArray(OffsetDateTime[]::new);
    OffsetDateTime[] to = expiries.stream().map(e -> utc(e.to())).toArray(OffsetDateTime[]::new);
    return conn.preparedQuery(EXPIRED).execute(Tuple.of(n, agent, from, to)).map(rows -> {
      Map<Integer, List<ReliabilityState.Expired>> sums = new HashMap<>();
      for (Row r : rows) {
        sums.computeIfAbsent(r.getInteger("n"), k -> new ArrayList<>()).add(new ReliabilityState.Expired(
            OutcomeKind.valueOf(r.getString("kind")), num(r, "all_n"), num(r, "counted"), num(r, "successes"),
            dbl(r, "failure_weight"), num(r, "rt_samples"), dbl(r, "sum_t"), dbl(r, "sum_y"), dbl(r, "sum_tt"),
            dbl(r, "sum_ty"), num(r, "outliers"), num(r, "bursts")));
      }
      return sums;
    });
  }

  private Uni<Void> write(SqlConnection conn, List<ReliabilityResult> results, List<Double> scores,
      Map<String, AgentState> agents, Long[] ids) {
    int n = results.size();
    String[] agent = new String[n];
    String[] kind = new String[n];
    Boolean[] success = new Boolean[n];
    Boolean[] counted = new Boolean[n];
    Double[] weight = new Double[n];
    java.util.UUID[] assignment = new java.util.UUID[n];
    java.util.UUID[] session = new java.util.UUID[n];
    Long[] rt = new Long[n];
    Double[] tDays = new Double[n];
    String[] outlier = new String[n];
    String[] burst = new String[n];
    String[] detail = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    Double[] score = scores.toArray(Double[]::new);
    for (int i = 0; i < n; i++) {
      ReliabilityResult r = results.get(i);
      agent[i] = r.agentId;
      kind[i] = r.kind.name();
      success[i] = r.success;
      counted[i] = r.counted;
      weight[i] = r.failureWeight;
      assignment[i] = r.assignmentId;
      session[i] = r.sessionId;
      rt[i] = r.responseTimeMs;
      tDays[i] = r.tDays;
      outlier[i] = r.outlierDetail;
      burst[i] = r.burstDetail;
      detail[i] = r.detail;
      at[i] = utc(r.at);
    }
    // One row per agent of the batch that has results (its aggregates after its last one).
    List<ReliabilityState> states = results.stream().map(r -> r.agentId).distinct().map(id -> agents.get(id).state)
        .toList();
    List<Object> p = new ArrayList<>(34);
    p.addAll(Arrays.asList(agent, kind, success, counted, weight, assignment, session, rt, tDays, outlier, burst,
        detail, at, score));
    p.add(states.stream().map(s -> s.agentId).toArray(String[]::new));
    p.add(states.stream().map(s -> utc(s.originAt)).toArray(OffsetDateTime[]::new));
    p.add(states.stream().map(s -> utc(s.expiredThrough)).toArray(OffsetDateTime[]::new));
    p.add(states.stream().map(s -> s.results).toArray(Integer[]::new));
    p.add(states.stream().map(s -> s.successes).toArray(Integer[]::new));
    p.add(states.stream().map(s -> s.failureWeight).toArray(Double[]::new));
    p.add(states.stream().map(s -> s.rtSamples).toArray(Integer[]::new));
    p.add(states.stream().map(s -> s.rtSumT).toArray(Double[]::new));
    p.add(states.stream().map(s -> s.rtSumY).toArray(Double[]::new));
    p.add(states.stream().map(s -> s.rtSumTT).toArray(Double[]::new));
    p.add(states.stream().map(s -> s.rtSumTY).toArray(Double[]::new));
    p.add(states.stream().map(s -> s.outliers).toArray(Integer[]::new));
    p.add(states.stream().map(s -> s.bursts).toArray(Integer[]::new));
    p.add(states.stream().map(s -> text(s.kindCounts)).toArray(String[]::new));
    p.add(states.stream().map(s -> arrayLiteral(s.baselineMs)).toArray(String[]::new));
    p.add(states.stream().map(s -> arrayLiteral(s.runFailuresMs)).toArray(String[]::new));
    p.add(states.stream().map(s -> s.runFlagged).toArray(Boolean[]::new));
    p.add(states.stream().map(s -> s.score).toArray(Double[]::new));
    p.add(states.stream().map(s -> utc(s.updatedAt)).toArray(OffsetDateTime[]::new));
    p.add(ids);
    return conn.preparedQuery(WRITE).execute(Tuple.from(p)).replaceWithVoid();
  }

  private static ReliabilityState state(Row r) {
    ReliabilityState s = new ReliabilityState();
    s.agentId = r.getString("agent_id");
    s.originAt = r.getOffsetDateTime("origin_at").toInstant();
    s.expiredThrough = r.getOffsetDateTime("expired_through").toInstant();
    s.results = r.getInteger("results");
    s.successes = r.getInteger("successes");
    s.failureWeight = r.getDouble("failure_weight");
    s.rtSamples = r.getInteger("rt_samples");
    s.rtSumT = r.getDouble("rt_sum_t");
    s.rtSumY = r.getDouble("rt_sum_y");
    s.rtSumTT = r.getDouble("rt_sum_tt");
    s.rtSumTY = r.getDouble("rt_sum_ty");
    s.outliers = r.getInteger("outliers");
    s.bursts = r.getInteger("bursts");
    s.kindCounts = kindCounts(r.getString("kind_counts"));
    s.baselineMs = longs(r.getArrayOfLongs("baseline_ms"));
    s.runFailuresMs = longs(r.getArrayOfLongs("run_failures_ms"));
    s.runFlagged = r.getBoolean("run_flagged");
    s.score = r.getDouble("score");
    return s;
  }

  private static Map<String, Integer> kindCounts(String text) {
    Map<String, Integer> m = new HashMap<>();
    io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject(text);
    o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return m;
  }

  private static long[] longs(Long[] a) {
    return a == null ? new long[0] : Arrays.stream(a).mapToLong(Long::longValue).toArray();
  }

  static String arrayLiteral(long[] a) {
    return Arrays.stream(a).mapToObj(Long::toString).collect(Collectors.joining(",", "{", "}"));
  }

  private String text(Object value) {
    return io.ares.platform.JsonText.of(json, value);
  }

  private static long num(Row r, String c) {
    Object v = r.getValue(c);
    return v == null ? 0L : ((Number) v).longValue();
  }

  private static double dbl(Row r, String c) {
    Object v = r.getValue(c);
    return v == null ? 0.0 : ((Number) v).doubleValue();
  }

  private static OffsetDateTime utc(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
