package io.ares.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.agent.AgentRegistration;
import io.ares.evidence.Criterion;
import io.ares.platform.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A session creation request, validated from its JSON body. Pure. */
public record SessionRequest(
    String coordinatorId,
    Map<String, Object> task,
    List<String> agentIds,
    String capability,
    Integer count,
    Integer quorum,
    Integer deadlineSeconds) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public int participants() {
    return agentIds != null ? agentIds.size() : count;
  }

  public int effectiveQuorum() {
    return quorum == null ? participants() : quorum;
  }

  @SuppressWarnings("unchecked")
  public static SessionRequest parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.validation("a JSON object body is required");
    }
    List<String> errors = new ArrayList<>();
    String coordinator = text(body, "coordinator_id", errors);
    JsonNode taskNode = body.get("task");
    Map<String, Object> task = null;
    if (taskNode == null || taskNode.isNull()) {
      errors.add("task is required");
    } else if (!taskNode.isObject()) {
      errors.add("task must be a JSON object");
    } else {
      task = parseTask(taskNode, errors);
    }
    List<String> agentIds = null;
    JsonNode ids = body.get("agent_ids");
    if (ids != null && !ids.isNull()) {
      if (!ids.isArray()) {
        errors.add("agent_ids must be an array of strings");
      } else {
        agentIds = new ArrayList<>();
        for (JsonNode id : ids) {
          if (!id.isTextual()) {
            errors.add("agent_ids must be an array of strings");
            break;
          }
          agentIds.add(id.textValue());
        }
        if (agentIds.isEmpty()) {
          errors.add("agent_ids must not be empty");
        } else if (new LinkedHashSet<>(agentIds).size() != agentIds.size()) {
          errors.add("agent_ids must not repeat an agent");
        } else if (agentIds.size() > 1000) {
          errors.add("agent_ids: at most 1000");
        }
      }
    }
    String capability = text(body, "capability", errors);
    Integer count = integer(body, "count", errors);
    Integer quorum = integer(body, "quorum", errors);
    Integer deadline = integer(body, "deadline_seconds", errors);
    if (agentIds != null && (capability != null || count != null)) {
      errors.add("give either agent_ids or capability + count, not both");
    } else if (agentIds == null) {
      if (capability == null || count == null) {
        errors.add("give agent_ids, or capability and count");
      } else if (count < 1 || count > 1000) {
        errors.add("count must be between 1 and 1000");
      }
    }
    if (capability != null && (capability.isBlank() || capability.length() > 128)) {
      errors.add("capability must be 1..128 characters");
    }
    if (coordinator != null && coordinator.length() > 200) {
      errors.add("coordinator_id must be at most 200 characters");
    }
    int n = agentIds != null ? agentIds.size() : count == null ? 0 : count;
    if (quorum != null && n > 0 && (quorum < 1 || quorum > n)) {
      errors.add("quorum must be between 1 and the number of participants (" + n + ")");
    }
    if (deadline != null && (deadline < 1 || deadline > 30 * 86400)) {
      errors.add("deadline_seconds must be between 1 and 2592000");
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(String.join("; ", errors)).with("errors", errors);
    }
    return new SessionRequest(coordinator, task, agentIds, capability, count, quorum, deadline);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseTask(JsonNode t, List<String> errors) {
    Map<String, Object> task = new LinkedHashMap<>();
    String type = text(t, "type", errors);
    if (type == null) {
      errors.add("task.type is required");
    } else if (type.isBlank() || type.length() > 200) {
      errors.add("task.type must be 1..200 characters");
    }
    task.put("type", type);
    task.put("input", t.has("input") ? JSON.convertValue(t.get("input"), Object.class) : null);
    JsonNode sc = t.get("success_criteria");
    Map<String, String> criteria = new LinkedHashMap<>();
    if (sc != null && !sc.isNull()) {
      if (!sc.isObject()) {
        errors.add("task.success_criteria must be an object of \"<op> <number>\" strings");
      } else {
        Iterator<Map.Entry<String, JsonNode>> it = sc.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isTextual() || Criterion.parse(e.getKey(), e.getValue().textValue()) == null) {
            errors.add("task.success_criteria." + e.getKey() + " must look like \">= 8.0\" (one of >= > <= < == !=)");
          } else {
            criteria.put(e.getKey(), e.getValue().textValue());
          }
        }
      }
    }
    task.put("success_criteria", criteria);
    JsonNode retry = t.get("retry");
    int maxAttempts = 1;
    int backoff = 1;
    if (retry != null && !retry.isNull()) {
      if (!retry.isObject()) {
        errors.add("task.retry must be an object");
      } else {
        Integer m = integer(retry, "max_attempts", errors);
        Integer b = integer(retry, "backoff_seconds", errors);
        if (m != null) {
          if (m < 1 || m > 100) {
            errors.add("task.retry.max_attempts must be between 1 and 100");
          }
          maxAttempts = m;
        }
        if (b != null) {
          if (b < 0 || b > 86400) {
            errors.add("task.retry.backoff_seconds must be between 0 and 86400");
          }
          backoff = b;
        }
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("max_attempts", maxAttempts);
    r.put("backoff_seconds", backoff);
    task.put("retry", r);
    Integer ct = integer(t, "completion_timeout_seconds", errors);
    if (ct != null && (ct < 1 || ct > 7 * 86400)) {
      errors.add("task.completion_timeout_seconds must be between 1 and 604800");
    }
    task.put("completion_timeout_seconds", ct);
    return task;
  }

  private static String text(JsonNode n, String field, List<String> errors) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      errors.add(field + " must be a string");
      return null;
    }
    return v.textValue();
  }

  private static Integer integer(JsonNode n, String field, List<String> errors) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      errors.add(field + " must be an integer");
      return null;
    }
    return v.intValue();
  }

  /**
   * 400 when the task asks for less time to work than {@code min} ({@code ares.assignment.min-completion-timeout}):
   * a coordinator must not be able to make its participants time out by design.
   */
  public void requireCompletionTimeoutAtLeast(java.time.Duration min) {
    Object ct = task.get("completion_timeout_seconds");
    if (ct instanceof Integer seconds && seconds < min.toSeconds()) {
      throw ApiException.validation("task.completion_timeout_seconds must be at least " + min.toSeconds()
          + " (ares.assignment.min-completion-timeout)");
    }
  }

  static boolean validAgentId(String id) {
    return id != null && AgentRegistration.AGENT_ID.matcher(id).matches();
  }
}
