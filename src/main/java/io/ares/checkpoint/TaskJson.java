package io.ares.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.platform.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conversions between the JSON trees the API receives and the maps stored in JSONB columns, and the checks
 * that keep a stored value hashable (RFC 8785 needs I-JSON: finite numbers, valid Unicode). Pure.
 */
public final class TaskJson {

  private static final ObjectMapper PLAIN = new ObjectMapper();

  private TaskJson() {}

  /**
   * Checks a client value that must be a JSON object storable in PostgreSQL JSONB and canonicalisable by
   * RFC 8785; a 400 otherwise.
   */
  public static ObjectNode requireObject(String field, JsonNode value) {
    if (value == null || value.isMissingNode()) {
      throw ApiException.validation(field + " is required");
    }
    if (!value.isObject()) {
      throw ApiException.validation(field + " must be a JSON object");
    }
    checkStorable(field, value);
    return (ObjectNode) value;
  }

  private static void checkStorable(String path, JsonNode node) {
    if (node.isNumber()) {
      if ((node.isFloatingPointNumber() || node.isBigInteger()) && !Double.isFinite(node.doubleValue())) {
        throw ApiException.validation(path + ": numbers must be finite IEEE 754 doubles (RFC 8785)");
      }
    } else if (node.isTextual()) {
      checkText(path, node.textValue());
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkText(path + " key", e.getKey());
        checkStorable(path + "." + e.getKey(), e.getValue());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkStorable(path + "[" + i + "]", node.get(i));
      }
    }
  }

  private static void checkText(String path, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u0000') {
        throw ApiException.validation(path + ": strings may not contain U+0000");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw ApiException.validation(path + ": strings must be valid Unicode (lone surrogate)");
      }
      if (Character.isLowSurrogate(c)) {
        throw ApiException.validation(path + ": strings must be valid Unicode (lone surrogate)");
      }
    }
  }

  /** A JSON object as the map a JSONB column stores (a fresh, deep copy). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> toMap(JsonNode object) {
    return PLAIN.convertValue(object, LinkedHashMap.class);
  }

  /** A stored map back as a JSON tree (null stays null). */
  public static ObjectNode toNode(Map<String, Object> map) {
    return map == null ? null : PLAIN.valueToTree(map);
  }

  /** A deep copy of a stored map. */
  public static Map<String, Object> copy(Map<String, Object> map) {
    return map == null ? null : toMap(toNode(map));
  }
}
