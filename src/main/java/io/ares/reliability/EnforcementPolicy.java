package io.ares.reliability;

import io.ares.agent.AgentStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * When an agent is quarantined automatically (SPEC §2). Pure: figures in, decision out.
 *
 * <ul>
 *   <li>{@link Rule#ENFORCEABLE_INCIDENTS}: at least max-high-incidents enforceable incidents within the
 *       enforcement window, counted since the last release;
 *   <li>{@link Rule#SCORE_BELOW_THRESHOLD}: score below quarantine-below after at least min-samples results
 *       in the reliability window since the last release.
 * </ul>
 * Only ACTIVE and UNRESPONSIVE agents can be quarantined.
 */
public final class EnforcementPolicy {

  /** Why an agent was quarantined. */
  public enum Rule {
    ENFORCEABLE_INCIDENTS,
    SCORE_BELOW_THRESHOLD
  }

  /** The limits ({@code ares.enforcement.*}). */
  public record Limits(double quarantineBelow, int minSamples, int maxHighIncidents, Duration window) {}

  /**
   * What is known about the agent now. {@code enforceableIncidentCodes} are the codes of the enforceable
   * incidents counted (at most max-high-incidents are needed); {@code samples} the results counted for the
   * score rule (at most min-samples are needed).
   */
  public record Facts(AgentStatus status, double score, int samples, List<String> enforceableIncidentCodes) {}

  /** A quarantine, the rule that fired first and a reason naming every rule that holds, with its figures. */
  public record Decision(Rule rule, String reason) {}

  private EnforcementPolicy() {}

  public static boolean canQuarantine(AgentStatus status) {
    return status == AgentStatus.ACTIVE || status == AgentStatus.UNRESPONSIVE;
  }

  public static Optional<Decision> decide(Facts f, Limits l) {
    if (!canQuarantine(f.status())) {
      return Optional.empty();
    }
    List<String> reasons = new ArrayList<>();
    Rule first = null;
    int incidents = f.enforceableIncidentCodes().size();
    if (incidents >= l.maxHighIncidents()) {
      first = Rule.ENFORCEABLE_INCIDENTS;
      reasons.add(String.format(Locale.ROOT, "%s: %d enforceable incidents within %s since the last release (limit %d): %s",
          Rule.ENFORCEABLE_INCIDENTS, incidents, human(l.window()), l.maxHighIncidents(),
          tally(f.enforceableIncidentCodes())));
    }
    if (f.score() < l.quarantineBelow() && f.samples() >= l.minSamples()) {
      if (first == null) {
        first = Rule.SCORE_BELOW_THRESHOLD;
      }
      reasons.add(String.format(Locale.ROOT, "%s: reliability score %.3f < %s after %d results (min %d)",
          Rule.SCORE_BELOW_THRESHOLD, f.score(), trim(l.quarantineBelow()), f.samples(), l.minSamples()));
    } else if (first != null) {
      reasons.add(String.format(Locale.ROOT, "reliability score %.3f", f.score()));
    }
    return first == null ? Optional.empty() : Optional.of(new Decision(first, String.join("; ", reasons)));
  }

  /** {@code PROOF_VALIDATION_FAILED x2, TASK_TIMEOUT x1} (alphabetical). */
  static String tally(List<String> codes) {
    Map<String, Integer> n = new TreeMap<>();
    codes.forEach(c -> n.merge(c, 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    n.forEach((c, k) -> parts.add(c + " x" + k));
    return String.join(", ", parts);
  }

  /** 1h, 30m, 7d, 90s. */
  public static String human(Duration d) {
    long s = d.getSeconds();
    if (s % 86400 == 0 && s > 0) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
