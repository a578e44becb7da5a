package io.ares.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.platform.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A registration request as sent (snake_case JSON), and its validation. Pure. */
public record AgentRegistration(
    String agentId,
    String name,
    List<String> capabilities,
    Integer heartbeatIntervalSeconds,
    Integer maxConcurrentTasks,
    List<String> proofRequirements,
    JsonNode metadata,
    Boolean coordinator) {

  /** Without the coordinator grant asked for (the common case). */
  public AgentRegistration(String agentId, String name, List<String> capabilities, Integer heartbeatIntervalSeconds,
      Integer maxConcurrentTasks, List<String> proofRequirements, JsonNode metadata) {
    this(agentId, name, capabilities, heartbeatIntervalSeconds, maxConcurrentTasks, proofRequirements, metadata, null);
  }

  public static final Pattern AGENT_ID = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");
  private static final Pattern FIELD_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]{0,127}$");
  public static final int MAX_METADATA_BYTES = 16 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The validated values, with defaults applied. */
  public record Valid(
      String agentId,
      String name,
      String[] capabilities,
      int heartbeatIntervalSeconds,
      int maxConcurrentTasks,
      String[] proofRequirements,
      Map<String, Object> metadata,
      boolean coordinator) {}

  @SuppressWarnings("unchecked")
  public Valid validate() {
    List<String> errors = new ArrayList<>();
    if (agentId == null) {
      errors.add("agent_id is required");
    } else if (!AGENT_ID.matcher(agentId).matches()) {
      errors.add("agent_id must match " + AGENT_ID.pattern());
    }
    String n = name == null ? agentId : name;
    if (n != null && (n.isBlank() || n.length() > 200)) {
      errors.add("name must be 1..200 characters");
    }
    List<String> caps = capabilities == null ? List.of() : capabilities;
    if (caps.size() > 100) {
      errors.add("capabilities: at most 100");
    }
    for (String c : caps) {
      if (c == null || c.isBlank() || c.length() > 128) {
        errors.add("capabilities: each must be a non-empty string of at most 128 characters");
        break;
      }
    }
    int interval = heartbeatIntervalSeconds == null ? 10 : heartbeatIntervalSeconds;
    if (interval < 1 || interval > 3600) {
      errors.add("heartbeat_interval_seconds must be between 1 and 3600");
    }
    int max = maxConcurrentTasks == null ? 4 : maxConcurrentTasks;
    if (max < 1 || max > 10000) {
      errors.add("max_concurrent_tasks must be between 1 and 10000");
    }
    List<String> proofs = proofRequirements == null ? List.of() : proofRequirements;
    for (String p : proofs) {
      if (p == null || !FIELD_NAME.matcher(p).matches()) {
        errors.add("proof_requirements: each must be a JSON field name");
        break;
      }
    }
    Map<String, Object> meta = Map.of();
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        errors.add("metadata must be a JSON object");
      } else if (metadata.toString().getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
        errors.add("metadata must be at most 16 KiB");
      } else {
        meta = JSON.convertValue(metadata, Map.class);
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(String.join("; ", errors)).with("errors", errors);
    }
    return new Valid(
        agentId,
        n,
        new LinkedHashSet<>(caps).toArray(String[]::new),
        interval,
        max,
        new LinkedHashSet<>(proofs).toArray(String[]::new),
        meta,
        Boolean.TRUE.equals(coordinator));
  }
}
