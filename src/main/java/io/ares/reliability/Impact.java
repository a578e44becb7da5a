package io.ares.reliability;

import java.util.Locale;

/** How much an incident weighs against the success rate (SPEC §2 table). */
public enum Impact {
  HIGH(1.0),
  MEDIUM(0.5),
  LOW(0.25);

  private final double weight;

  Impact(double weight) {
    this.weight = weight;
  }

  /** The failure weight of one incident of this impact in the score (a high one is one whole failure). */
  public double weight() {
    return weight;
  }

  /** As on the wire and in the SPEC table: {@code high}, {@code medium}, {@code low}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
