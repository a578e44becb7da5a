package io.ares.reliability.rest;

import io.ares.reliability.ScorePoint;
import java.time.Instant;

/** One point of the score chart. */
public record ScorePointView(Instant at, double score) {

  public static ScorePointView of(ScorePoint p) {
    return new ScorePointView(p.at, p.score);
  }
}
