package io.ares.testing;

import static io.ares.testing.Api.as;

import io.ares.evidence.EvidenceValidator;
import io.ares.testing.Api.TestAgent;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test builders for sessions and the agent side of the protocol (poll, ack, evidence). */
public final class Sessions {

  private Sessions() {}

  /** Where the simulated agents read the time for completion_time (the engine's clock in clock-driven tests). */
  public static volatile java.util.function.Supplier<Instant> now = Instant::now;

  public static SessionBuilder aSession() {
    return new SessionBuilder();
  }

  /** Builds a creation request. */
  public static final class SessionBuilder {
    private final Map<String, Object> body = new LinkedHashMap<>();
    private final Map<String, Object> task = new LinkedHashMap<>();

    SessionBuilder() {
      task.put("type", "summarise");
      task.put("input", Map.of("text", "hello"));
      body.put("task", task);
    }

    public SessionBuilder agents(TestAgent... agents) {
      List<String> ids = new ArrayList<>();
      for (TestAgent a : agents) {
        ids.add(a.id());
      }
      body.put("agent_ids", ids);
      return this;
    }

    public SessionBuilder capability(String cap, int count) {
      body.put("capability", cap);
      body.put("count", count);
      return this;
    }

    public SessionBuilder quorum(int k) {
      body.put("quorum", k);
      return this;
    }

    public SessionBuilder deadlineSeconds(int s) {
      body.put("deadline_seconds", s);
      return this;
    }

    public SessionBuilder criteria(String metric, String expr) {
      task.put("success_criteria", Map.of(metric, expr));
      return this;
    }

    public SessionBuilder retry(int maxAttempts, int backoffSeconds) {
      task.put("retry", Map.of("max_attempts", maxAttempts, "backoff_seconds", backoffSeconds));
      return this;
    }

    public SessionBuilder completionTimeout(int seconds) {
      task.put("completion_timeout_seconds", seconds);
      return this;
    }

    public SessionBuilder coordinator(String id) {
      body.put("coordinator_id", id);
      return this;
    }

    public Map<String, Object> body() {
      return body;
    }

    /** Created by the operator; returns the session JSON. */
    public JsonPath create() {
      return Api.operator().body(body).post("/api/v1/sessions").then().statusCode(201).extract().jsonPath();
    }
  }

  /** Long-polls without waiting and returns the messages. */
  public static List<Map<String, Object>> poll(TestAgent a) {
    return as(a).queryParam("wait_seconds", 0).get("/api/v1/agents/" + a.id() + "/assignments")
        .then().statusCode(200).extract().jsonPath().getList("$");
  }

  /** Polls and returns the first delegation message for the agent. */
  public static Map<String, Object> takeDelegation(TestAgent a) {
    return poll(a).stream().filter(m -> "task_delegation".equals(m.get("type"))).findFirst()
        .orElseThrow(() -> new AssertionError("no delegation for " + a.id()));
  }

  /** Honest evidence for a task: the output's checksum is right. */
  public static Map<String, Object> evidence(String taskId, Object output, Map<String, Object> metrics) {
    Map<String, Object> e = new HashMap<>();
    e.put("task_id", taskId);
    e.put("completion_time", now.get().toString());
    e.put("output", output);
    e.put("checksum", EvidenceValidator.checksumOf(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(output)));
    e.put("metrics", metrics);
    return e;
  }

  /** The agent takes its delegation, acks it, and submits honest evidence; returns the verdict. */
  public static JsonPath work(TestAgent a, Map<String, Object> metrics) {
    Map<String, Object> m = takeDelegation(a);
    String assignmentId = (String) m.get("assignment_id");
    as(a).post("/api/v1/assignments/" + assignmentId + "/ack").then().statusCode(200);
    return submit(a, assignmentId, evidence((String) m.get("task_id"), "result of " + a.id(), metrics));
  }

  public static JsonPath submit(TestAgent a, String assignmentId, Map<String, Object> evidence) {
    return as(a).body(evidence).post("/api/v1/assignments/" + assignmentId + "/evidence").then().statusCode(200)
        .extract().jsonPath();
  }

  public static RequestSpecification agentCall(TestAgent a) {
    return as(a);
  }
}
