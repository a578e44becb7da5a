package io.ares.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.platform.ApiException;
import io.quarkiverse.mcp.server.ToolManager.ToolArguments;
import io.vertx.core.json.JsonObject;

/**
 * A tool call's {@code arguments}, read from the raw JSON-RPC message as the JSON the client sent (nulls and all),
 * so that the rest of a call is the REST endpoint's: the arguments that are path or query parameters in REST are
 * taken out by name, and what remains is the request body, read by the same strict ObjectMapper.
 */
final class ToolArgs {

  private final ObjectNode args;

  private ToolArgs(ObjectNode args) {
    this.args = args;
  }

  static ToolArgs of(ToolArguments call, ObjectMapper mapper) {
    JsonObject message = call.rawMessage() == null ? null : call.rawMessage().asJsonObject();
    JsonObject params = message == null ? null : message.getJsonObject("params");
    Object raw = params == null ? null : params.getValue("arguments");
    if (raw == null) {
      return new ToolArgs(mapper.createObjectNode());
    }
    if (!(raw instanceof JsonObject o)) {
      throw ApiException.validation("arguments must be a JSON object");
    }
    try {
      return new ToolArgs((ObjectNode) mapper.readTree(o.encode()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiException.validation("arguments must be a JSON object");
    }
  }

  /** A scalar argument as the text a REST path or query parameter would carry; null when absent or null. */
  String text(String name) {
    JsonNode n = args.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isIntegralNumber()) {
      return n.asText();
    }
    throw ApiException.validation(name + " must be " + (name.endsWith("_id") ? "a string" : "a string or an integer"));
  }

  /** A required id argument (a path parameter in REST). */
  String id(String name) {
    String v = text(name);
    if (v == null || v.isEmpty()) {
      throw ApiException.validation(name + " is required");
    }
    return v;
  }

  /** The arguments minus the named ones: the REST request body. */
  ObjectNode body(String... without) {
    ObjectNode b = args.deepCopy();
    for (String w : without) {
      b.remove(w);
    }
    return b;
  }

  boolean has(String name) {
    JsonNode n = args.get(name);
    return n != null && !n.isNull();
  }
}
