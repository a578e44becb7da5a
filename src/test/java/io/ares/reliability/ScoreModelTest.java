package io.ares.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ares.agent.Agent;
import io.ares.reliability.ScoreModel.Inputs;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The score formula and the worked examples of docs/reliability.md (the same numbers). */
class ScoreModelTest {

  private static final Offset<Double> EPS = within(1e-9);

  private static Inputs counts(double successes, double failureWeight) {
    return new Inputs(successes, failureWeight, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void a_new_agent_starts_at_the_prior_mean_which_is_the_agents_initial_score() {
    assertThat(ScoreModel.DEFAULT.priorMean()).isEqualTo(0.75);
    assertThat(ScoreModel.DEFAULT.priorMean()).isEqualTo(Agent.INITIAL_SCORE);
    assertThat(ScoreModel.compute(Inputs.empty()).score()).isEqualTo(Agent.INITIAL_SCORE);
  }

  @Test
  void one_result_does_not_swing_a_new_agent_to_zero_or_one() {
    assertThat(ScoreModel.compute(counts(1, 0)).score()).isCloseTo(0.8, EPS);
    assertThat(ScoreModel.compute(counts(0, 1.0)).score()).isCloseTo(0.6, EPS);
  }

  @Test
  void ten_successes_raise_the_score_to_thirteen_fourteenths() {
    assertThat(ScoreModel.compute(counts(10, 0)).score()).isCloseTo(13.0 / 14.0, EPS);
  }

  @Test
  void failures_weigh_by_impact() {
    // One high (1.0), one medium (0.5), one low (0.25) failure: (3 + 0) / (4 + 1.75).
    assertThat(ScoreModel.compute(counts(0, 1.75)).smoothedSuccessRate()).isCloseTo(3.0 / 5.75, EPS);
  }

  @Test
  void worked_example_of_the_readme() {
    // Window: 8 VALIDATED, 1 PROOF_VALIDATION_FAILED (1.0), 1 COORDINATION_FAILED (0.5), 2 agent-reported (2 x 0.25).
    // Five verdict response times on days 0..4: 1000, 1050, 1100, 1150, 1200 ms. One failure burst.
    double[] t = {0, 1, 2, 3, 4};
    double[] y = {1000, 1050, 1100, 1150, 1200};
    double st = 0, sy = 0, stt = 0, sty = 0;
    for (int i = 0; i < t.length; i++) {
      st += t[i];
      sy += y[i];
      stt += t[i] * t[i];
      sty += t[i] * y[i];
    }
    ScoreModel.Breakdown b = ScoreModel.compute(new Inputs(8, 2.0, 5, st, sy, stt, sty, 0, 1));
    assertThat(b.smoothedSuccessRate()).isCloseTo(0.785714286, within(1e-9)); // 11/14
    assertThat(b.slopeMsPerDay()).isCloseTo(50.0, EPS);
    assertThat(b.meanMs()).isCloseTo(1100.0, EPS);
    assertThat(b.relativeChange()).isCloseTo(0.128564869, within(1e-9)); // 50 * 2 * sqrt(2) / 1100
    assertThat(b.trendPenalty()).isCloseTo(0.012856487, within(1e-9));
    assertThat(b.anomalyPenalty()).isCloseTo(0.05, EPS);
    assertThat(b.score()).isCloseTo(0.722857799, within(1e-9));
  }

  @Test
  void getting_faster_costs_nothing_and_the_trend_needs_five_samples() {
    // Decreasing response times: negative slope, no penalty.
    Inputs faster = new Inputs(5, 0, 5, 10, 5500, 30, 10500, 0, 0); // y = 1200 - 50 t
    assertThat(ScoreModel.compute(faster).slopeMsPerDay()).isCloseTo(-50.0, EPS);
    assertThat(ScoreModel.compute(faster).trendPenalty()).isZero();
    // Four samples: a slope is shown but not charged.
    Inputs four = new Inputs(4, 0, 4, 6, 4300, 14, 6700, 0, 0); // t=0..3, y=1000..1150
    assertThat(ScoreModel.compute(four).slopeMsPerDay()).isCloseTo(50.0, EPS);
    assertThat(ScoreModel.compute(four).trendPenalty()).isZero();
  }

  @Test
  void the_trend_penalty_is_bounded_by_five_hundredths() {
    // Response time quadruples over two days.
    Inputs slower = new Inputs(5, 0, 3, 3, 7000, 5, 10000, 0, 0); // t=0,1,2 y=1000,2000,4000
    ScoreModel.Breakdown b = ScoreModel.compute(slower, new ScoreModel.Params(3, 1, 3, 0.1, 0.05, 0.03, 0.05, 0.15));
    assertThat(b.trendPenalty()).isEqualTo(0.05);
  }

  @Test
  void samples_at_one_instant_have_no_slope() {
    Inputs same = new Inputs(5, 0, 5, 0, 5000, 0, 0, 0, 0);
    assertThat(ScoreModel.compute(same).slopeMsPerDay()).isZero();
    assertThat(ScoreModel.compute(same).trendPenalty()).isZero();
  }

  @Test
  void the_anomaly_penalty_is_capped_and_the_score_stays_within_zero_and_one() {
    assertThat(ScoreModel.compute(new Inputs(0, 0, 0, 0, 0, 0, 0, 2, 1)).anomalyPenalty()).isCloseTo(0.11, EPS);
    assertThat(ScoreModel.compute(new Inputs(0, 0, 0, 0, 0, 0, 0, 10, 10)).anomalyPenalty()).isEqualTo(0.15);
    assertThat(ScoreModel.compute(new Inputs(0, 1000, 0, 0, 0, 0, 0, 10, 10)).score()).isEqualTo(0.0);
  }

  @Test
  void six_coordination_failures_in_a_row_fall_below_the_quarantine_threshold() {
    // 6 x 0.5 failure weight and one burst: 3/7 - 0.05 = 0.3786 < 0.4; after five it is 3/6.5 - 0.05 = 0.4115.
    assertThat(ScoreModel.compute(new Inputs(0, 3.0, 0, 0, 0, 0, 0, 0, 1)).score()).isCloseTo(0.378571429, within(1e-9));
    assertThat(ScoreModel.compute(new Inputs(0, 2.5, 0, 0, 0, 0, 0, 0, 1)).score()).isCloseTo(0.411538462, within(1e-9));
  }
}
