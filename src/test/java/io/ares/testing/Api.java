package io.ares.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Test-side client of the ARES HTTP API: builders for agents and sessions, credentials. */
public final class Api {

  private static final AtomicInteger SEQ = new AtomicInteger();

  private Api() {}

  public static RequestSpecification operator() {
    return given().auth().preemptive().basic("admin", "admin").contentType(ContentType.JSON);
  }

  public static RequestSpecification viewer() {
    return given().auth().preemptive().basic("viewer", "viewer").contentType(ContentType.JSON);
  }

  public static RequestSpecification anonymous() {
    return given().contentType(ContentType.JSON);
  }

  public static RequestSpecification as(TestAgent agent) {
    return given().header("Authorization", "Bearer " + agent.token()).contentType(ContentType.JSON);
  }

  /** A unique, valid agent id with a readable prefix. */
  public static String uniqueId(String prefix) {
    return prefix + "-" + SEQ.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static AgentBuilder anAgent() {
    return new AgentBuilder();
  }

  /** A registered agent and its token. */
  public record TestAgent(String id, String token) {}

  /** Builds a registration request. */
  public static final class AgentBuilder {
    private String id = uniqueId("agent");
    private List<String> capabilities = List.of("summarise");
    private int interval = 10;
    private int maxTasks = 4;
    private List<String> proofs = List.of();
    private boolean coordinator;

    public AgentBuilder id(String id) {
      this.id = id;
      return this;
    }

    public AgentBuilder capabilities(String... caps) {
      this.capabilities = List.of(caps);
      return this;
    }

    public AgentBuilder heartbeatInterval(int seconds) {
      this.interval = seconds;
      return this;
    }

    public AgentBuilder maxTasks(int n) {
      this.maxTasks = n;
      return this;
    }

    public AgentBuilder proofRequirements(String... fields) {
      this.proofs = List.of(fields);
      return this;
    }

    /** The operator grants the coordinator grant right after registration (SPEC §3). */
    public AgentBuilder coordinator() {
      this.coordinator = true;
      return this;
    }

    public Map<String, Object> body() {
      return Map.of(
          "agent_id", id,
          "name", "Agent " + id,
          "capabilities", capabilities,
          "heartbeat_interval_seconds", interval,
          "max_concurrent_tasks", maxTasks,
          "proof_requirements", proofs,
          "metadata", Map.of("model", "test"));
    }

    public TestAgent register() {
      Response r = anonymous().body(body()).post("/api/v1/agents");
      r.then().statusCode(201);
      if (coordinator) {
        operator().body(Map.of("coordinator", true)).put("/api/v1/agents/" + id + "/grants").then().statusCode(200);
      }
      return new TestAgent(id, r.path("token"));
    }
  }
}
