package io.ares.evidence;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One success criterion: {@code "quality_score": ">= 8.0"}. Pure. */
public record Criterion(String metric, String operator, BigDecimal threshold, String written) {

  private static final Pattern FORM =
      Pattern.compile("^\\s*(>=|<=|==|!=|>|<)\\s*(-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)\\s*$");

  /** Parses an expression, or returns null when it is not of the form "<op> <number>". */
  public static Criterion parse(String metric, String expression) {
    if (expression == null) {
      return null;
    }
    Matcher m = FORM.matcher(expression);
    if (!m.matches()) {
      return null;
    }
    try {
      double d = Double.parseDouble(m.group(2));
      if (!Double.isFinite(d) || Math.abs(d) > 1e15) {
        return null; // thresholds are ordinary numbers; 1e999999999 is refused, not expanded
      }
      return new Criterion(metric, m.group(1), new BigDecimal(m.group(2)), m.group(2));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public boolean holds(BigDecimal value) {
    int c = value.compareTo(threshold);
    return switch (operator) {
      case ">=" -> c >= 0;
      case ">" -> c > 0;
      case "<=" -> c <= 0;
      case "<" -> c < 0;
      case "==" -> c == 0;
      case "!=" -> c != 0;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return metric + " " + operator + " " + written;
  }
}
