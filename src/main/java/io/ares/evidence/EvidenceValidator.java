package io.ares.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.platform.ApiException;
import io.ares.platform.Hashing;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Evidence validation exactly as SPEC §2: type errors are a 400 (nothing recorded); otherwise a verdict listing
 * every reason that failed. Pure: evidence + assignment facts + agent requirements + now → verdict.
 */
public final class EvidenceValidator {

  static final Duration SKEW = Duration.ofSeconds(5);
  private static final Pattern RFC3339 = Pattern.compile(
      "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$");

  /** What the validator needs to know about the assignment. */
  public record Facts(
      String taskId, Instant delegatedAt, Map<String, String> successCriteria, List<String> proofRequirements) {}

  private EvidenceValidator() {}

  /** Rejects (400) a body that is not an object or whose present fields have the wrong JSON types. */
  public static void checkTypes(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.validation("evidence must be a JSON object");
    }
    List<String> errors = new ArrayList<>();
    stringOrAbsent(body, "task_id", errors);
    stringOrAbsent(body, "completion_time", errors);
    stringOrAbsent(body, "checksum", errors);
    JsonNode metrics = body.get("metrics");
    if (metrics != null && !metrics.isNull()) {
      if (!metrics.isObject()) {
        errors.add("metrics must be a JSON object");
      } else {
        Iterator<Map.Entry<String, JsonNode>> it = metrics.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isNumber() && !e.getValue().isNull()) {
            errors.add("metrics." + e.getKey() + " must be a number");
          } else if (e.getValue().isNumber() && (!Double.isFinite(e.getValue().doubleValue())
              || Math.abs(e.getValue().doubleValue()) > 1e300)) {
            errors.add("metrics." + e.getKey() + " must be a finite number");
          }
        }
      }
    }
    if (containsNul(body)) {
      // PostgreSQL's jsonb cannot store it: refused here, before the submission shares a batch with others'.
      errors.add("evidence must not contain the character U+0000");
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(String.join("; ", errors)).with("errors", errors);
    }
  }

  /** Whether a string or a field name anywhere in the tree holds U+0000. */
  static boolean containsNul(JsonNode root) {
    java.util.ArrayDeque<JsonNode> pending = new java.util.ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      JsonNode n = pending.pop();
      if (n.isTextual() && n.textValue().indexOf('\0') >= 0) {
        return true;
      }
      if (n.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getKey().indexOf('\0') >= 0) {
            return true;
          }
          pending.push(e.getValue());
        }
      } else if (n.isArray()) {
        n.forEach(pending::push);
      }
    }
    return false;
  }

  private static void stringOrAbsent(JsonNode body, String field, List<String> errors) {
    JsonNode n = body.get(field);
    if (n != null && !n.isNull() && !n.isTextual()) {
      errors.add(field + " must be a string");
    }
  }

  /** The checksum an honest agent sends for an output. */
  public static String checksumOf(JsonNode output) {
    if (output.isTextual()) {
      return Hashing.sha256Hex(output.textValue().getBytes(StandardCharsets.UTF_8));
    }
    return Hashing.canonicalHash(output);
  }

  public static Verdict validate(JsonNode body, Facts facts, Instant now) {
    checkTypes(body);
    List<String> reasons = new ArrayList<>();
    boolean proof = true;
    boolean completion = true;

    // --- proof_valid ---
    for (String f : List.of("task_id", "completion_time", "output", "checksum")) {
      if (!body.has(f) || (body.get(f).isNull() && !f.equals("output"))) {
        reasons.add(f + " missing");
        proof = false;
      }
    }
    if (body.has("output") && body.hasNonNull("checksum")) {
      String expected;
      try {
        expected = checksumOf(body.get("output"));
      } catch (IllegalArgumentException e) {
        expected = null;
      }
      if (expected == null || !expected.equals(body.get("checksum").textValue())) {
        reasons.add("checksum mismatch");
        proof = false;
      }
    }
    for (String required : facts.proofRequirements()) {
      if (!body.has(required) || body.get(required).isNull()) {
        reasons.add("required proof field " + required + " missing");
        proof = false;
      }
    }

    // --- completion_valid ---
    if (body.hasNonNull("task_id") && !body.get("task_id").textValue().equals(facts.taskId())) {
      reasons.add("task_id does not match the assignment");
      completion = false;
    } else if (!body.hasNonNull("task_id")) {
      completion = false;
    }
    if (body.hasNonNull("completion_time")) {
      String raw = body.get("completion_time").textValue();
      Instant t = null;
      if (RFC3339.matcher(raw).matches()) {
        try {
          t = OffsetDateTime.parse(raw).toInstant();
        } catch (DateTimeParseException e) {
          t = null;
        }
      }
      if (t == null) {
        reasons.add("completion_time is not an RFC 3339 timestamp with an offset");
        completion = false;
      } else {
        Instant from = facts.delegatedAt() == null ? null : facts.delegatedAt().minus(SKEW);
        Instant to = now.plus(SKEW);
        if ((from != null && t.isBefore(from)) || t.isAfter(to)) {
          reasons.add("completion_time outside [delegation - 5s, now + 5s]");
          completion = false;
        }
      }
    } else {
      completion = false;
    }
    JsonNode metrics = body.get("metrics");
    for (Map.Entry<String, String> c : facts.successCriteria().entrySet()) {
      Criterion criterion = Criterion.parse(c.getKey(), c.getValue());
      JsonNode value = metrics == null || metrics.isNull() ? null : metrics.get(c.getKey());
      if (criterion == null) {
        reasons.add("success criterion " + c.getKey() + " is malformed");
        completion = false;
      } else if (value == null || value.isNull()) {
        reasons.add("metric " + c.getKey() + " missing (criterion " + criterion + ")");
        completion = false;
      } else {
        BigDecimal v = value.decimalValue();
        if (!criterion.holds(v)) {
          reasons.add("criterion " + criterion + " failed: " + c.getKey() + " = " + value.toString());
          completion = false;
        }
      }
    }
    return new Verdict(completion, proof, List.copyOf(reasons));
  }
}
