package io.ares.reliability;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Outcomes.an;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.Outcomes;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The score is kept incrementally (window aggregates, one result added and one expired at a time); here it is
 * recomputed from the stored results and incidents from scratch, over three weeks of mixed outcomes, and the
 * two must agree after every batch.
 */
@QuarkusTest
class ScoreRecomputationTest {

  private static final Duration WINDOW = Duration.ofDays(7);

  @Inject SettableClock clock;
  @Inject Pool pool;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private List<Row> rows(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().forEach(out::add);
    return out;
  }

  @Test
  void the_incremental_score_matches_a_recomputation_from_the_stored_results_and_incidents() {
    TestAgent a = anAgent().register();
    Random random = new Random(20240607L);
    Instant start = Instant.parse("2035-01-01T00:00:00Z");
    clock.set(start);
    String[] kinds = {
      "VALIDATED", "VALIDATED", "VALIDATED", "VALIDATED", "VALIDATED", "VALIDATED", "VALIDATED", "VALIDATED",
      "COMPENSATED", "PROOF_VALIDATION_FAILED", "AGENT_FAILURE", "AGENT_FAILURE", "TASK_TIMEOUT",
      "COMPENSATION_FAILED", "COORDINATION_FAILED"};
    int checks = 0;
    for (int i = 1; i <= 160; i++) {
      // Gaps from a minute to a day and a half; a quiet week once, so the whole window expires.
      long gapMinutes = i == 80 ? 8 * 24 * 60 : 1 + (long) (Math.pow(random.nextDouble(), 3) * 36 * 60);
      clock.advance(Duration.ofMinutes(gapMinutes));
      String kind = kinds[random.nextInt(kinds.length)];
      Outcomes.OutcomeBuilder o = an(kind).detail("step " + i);
      if (kind.equals("VALIDATED") || kind.equals("PROOF_VALIDATION_FAILED")) {
        double days = Duration.between(start, clock.instant()).toMinutes() / 1440.0;
        long rt = 800 + Math.round(15 * days + random.nextGaussian() * 60);
        if (random.nextInt(25) == 0) {
          rt *= 6;
        }
        o.responseTime(Math.max(1, rt));
      }
      Outcomes.record(a.id(), o);
      if (i % 20 == 0) {
        assertMatchesRecomputation(a);
        checks++;
      }
    }
    assertThat(checks).isEqualTo(8);
    assertThat(rows("SELECT count(*) FROM reliability_result WHERE outlier_detail IS NOT NULL AND agent_id = $1", a.id())
        .get(0).getLong(0)).as("the run exercised the outlier rule").isPositive();
  }

  private void assertMatchesRecomputation(TestAgent a) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<Row> all = rows("SELECT r.counted, r.success, r.response_time_ms, r.at, r.kind, r.outlier_detail, r.burst_detail, "
        + "i.impact FROM reliability_result r LEFT JOIN incident i ON i.result_id = r.result_id "
        + "WHERE r.agent_id = $1 ORDER BY r.result_id", a.id());

    // 1. Replay the anomaly rules over the whole history: the stored flags are what a replay gives.
    long[] baseline = new long[0];
    Anomalies.Run run = Anomalies.Run.empty();
    for (Row r : all) {
      if (!r.getBoolean("counted")) {
        continue;
      }
      Long rt = r.getLong("response_time_ms");
      boolean outlier = false;
      if (rt != null) {
        Anomalies.OutlierCheck c = Anomalies.checkOutlier(baseline, rt);
        outlier = c != null && c.outlier();
        baseline = Anomalies.pushBaseline(baseline, rt);
      }
      Anomalies.BurstStep step = Anomalies.nextRun(run, !r.getBoolean("success"),
          r.getOffsetDateTime("at").toInstant().toEpochMilli());
      run = step.run();
      assertThat(r.getString("outlier_detail") != null).isEqualTo(outlier);
      assertThat(r.getString("burst_detail") != null).isEqualTo(step.burst());
    }

    // 2. The window's figures from scratch: successes, impact weights from the incidents, response-time sums.
    Instant from = now.minus(WINDOW);
    double successes = 0;
    double failureWeight = 0;
    long n = 0;
    double st = 0;
    double sy = 0;
    double stt = 0;
    double sty = 0;
    long outliers = 0;
    long bursts = 0;
    Map<String, Integer> byKind = new HashMap<>();
    for (Row r : all) {
      Instant at = r.getOffsetDateTime("at").toInstant();
      if (!at.isAfter(from)) {
        continue;
      }
      byKind.merge(r.getString("kind"), 1, Integer::sum);
      if (!r.getBoolean("counted")) {
        continue;
      }
      if (r.getBoolean("success")) {
        successes++;
      } else {
        failureWeight += Impact.valueOf(r.getString("impact")).weight();
      }
      Long rt = r.getLong("response_time_ms");
      if (rt != null) {
        double t = Duration.between(from, at).toNanos() / 86_400e9;
        n++;
        st += t;
        sy += rt;
        stt += t * t;
        sty += t * rt;
      }
      outliers += r.getString("outlier_detail") != null ? 1 : 0;
      bursts += r.getString("burst_detail") != null ? 1 : 0;
    }
    double expected = ScoreModel.compute(
        new ScoreModel.Inputs(successes, failureWeight, n, st, sy, stt, sty, outliers, bursts)).score();

    double stored = rows("SELECT reliability_score FROM agent WHERE agent_id = $1", a.id()).get(0).getDouble(0);
    assertThat(stored).as("incremental vs from-scratch score at %s", now).isCloseTo(expected, within(1e-9));

    var report = operator().get("/api/v1/agents/" + a.id() + "/reliability").then().statusCode(200).extract();
    assertThat(((Number) report.path("successes")).doubleValue()).isEqualTo(successes);
    assertThat(((Number) report.path("response_time_trend.samples")).longValue()).isEqualTo(n);
    for (OutcomeKind k : OutcomeKind.values()) {
      assertThat((Integer) report.path("completion_pattern." + k.name())).as(k.name())
          .isEqualTo(byKind.getOrDefault(k.name(), 0));
    }
    assertThat(OffsetDateTime.parse(report.path("analysis_timestamp")).toInstant()).isEqualTo(now);
    assertThat(OffsetDateTime.parse(report.path("window_start")).withOffsetSameInstant(ZoneOffset.UTC).toInstant())
        .isEqualTo(from);
  }
}
