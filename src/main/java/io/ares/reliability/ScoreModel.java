package io.ares.reliability;

/**
 * The reliability score (docs/reliability.md, "The score"). Pure: window figures in, score out.
 *
 * <pre>
 * p       = (α + s) / (α + β + s + f)                       smoothed, impact-weighted success rate
 * g       = slope · 2σ_t / mean_rt                          fitted relative slow-down over the sampled period
 * T       = min(trendMax, trendFactor · max(0, g))          only with ≥ trendMinSamples response times
 * A       = min(anomalyMax, outlierPenalty · outliers + burstPenalty · bursts)
 * score   = clamp(p − T − A, 0, 1)
 * </pre>
 */
public final class ScoreModel {

  /** The constants of the formula; {@link #DEFAULT} is what the engine uses. */
  public record Params(
      double priorAlpha,
      double priorBeta,
      int trendMinSamples,
      double trendFactor,
      double trendMax,
      double outlierPenalty,
      double burstPenalty,
      double anomalyMax) {

    /** The prior's mean: the score of an agent with no results. */
    public double priorMean() {
      return priorAlpha / (priorAlpha + priorBeta);
    }
  }

  /** α = 3, β = 1 (mean 0.75); trend at most 0.05; anomalies at most 0.15. */
  public static final Params DEFAULT = new Params(3.0, 1.0, 5, 0.1, 0.05, 0.03, 0.05, 0.15);

  /**
   * The figures of one agent's window. Response-time sums are over the results that carry a response
   * time: {@code t} in days from any fixed origin (the slope does not depend on it), {@code y} in ms.
   */
  public record Inputs(
      double successes,
      double failureWeight,
      long rtSamples,
      double sumT,
      double sumY,
      double sumTT,
      double sumTY,
      long outliers,
      long bursts) {

    public static Inputs empty() {
      return new Inputs(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  }

  /** The score and every intermediate figure (shown in the reliability report). */
  public record Breakdown(
      double smoothedSuccessRate,
      Double slopeMsPerDay,
      Double meanMs,
      Double relativeChange,
      double trendPenalty,
      double anomalyPenalty,
      double score) {}

  private ScoreModel() {}

  public static Breakdown compute(Inputs in) {
    return compute(in, DEFAULT);
  }

  public static Breakdown compute(Inputs in, Params p) {
    double rate = (p.priorAlpha() + in.successes())
        / (p.priorAlpha() + p.priorBeta() + in.successes() + in.failureWeight());

    Double slope = null;
    Double mean = null;
    Double change = null;
    double trend = 0.0;
    if (in.rtSamples() > 0) {
      mean = in.sumY() / in.rtSamples();
    }
    if (in.rtSamples() >= 2) {
      double n = in.rtSamples();
      double sxx = in.sumTT() - in.sumT() * in.sumT() / n; // n · Var(t)
      double sxy = in.sumTY() - in.sumT() * in.sumY() / n; // n · Cov(t, y)
      // Samples whose times spread by less than ~0.1 s (Var(t) < 1e-12 day²) carry no trend.
      slope = sxx > 1e-12 * n ? sxy / sxx : 0.0;
      if (in.rtSamples() >= p.trendMinSamples() && mean > 0) {
        double sigmaT = Math.sqrt(Math.max(0.0, sxx / n));
        change = slope * 2.0 * sigmaT / mean;
        trend = Math.min(p.trendMax(), p.trendFactor() * Math.max(0.0, change));
      }
    }

    double anomalies = Math.min(p.anomalyMax(), p.outlierPenalty() * in.outliers() + p.burstPenalty() * in.bursts());
    double score = Math.max(0.0, Math.min(1.0, rate - trend - anomalies));
    return new Breakdown(rate, slope, mean, change, trend, anomalies, score);
  }
}
