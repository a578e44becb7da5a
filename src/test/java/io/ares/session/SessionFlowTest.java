package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Api.viewer;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.submit;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionFlowTest {

  @Inject SettableClock clock;

  @AfterEach
  void reset() {
    clock.reset();
  }

  private static String stateOf(String sessionId) {
    return operator().get("/api/v1/sessions/" + sessionId).then().statusCode(200).extract().path("state");
  }

  @Test
  void three_agents_with_valid_evidence_complete_the_session() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    TestAgent c = anAgent().register();
    JsonPath s = aSession().agents(a, b, c).criteria("quality_score", ">= 8.0").create();
    String id = s.getString("session_id");
    assertThat(s.getString("state")).isEqualTo("INITIALIZING");
    assertThat(s.getList("assignments")).hasSize(3);
    assertThat(s.getInt("quorum")).isEqualTo(3);
    // The detail lists a session's first assignments in slot order (they share their creation time).
    JsonPath detail = operator().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
    assertThat(detail.getList("assignments.slot", Integer.class)).containsExactly(0, 1, 2);
    assertThat(detail.getList("assignments.agent_id", String.class)).containsExactly(a.id(), b.id(), c.id());

    JsonPath v = work(a, Map.of("quality_score", 9.1));
    assertThat(v.getBoolean("overall_success")).isTrue();
    assertThat(v.getList("reasons")).isEmpty();
    assertThat(stateOf(id)).isEqualTo("IN_PROGRESS");
    work(b, Map.of("quality_score", 8.0));
    work(c, Map.of("quality_score", 8.5));
    operator().get("/api/v1/sessions/" + id).then()
        .body("state", equalTo("COMPLETED"))
        .body("assignments.state", contains("VALIDATED", "VALIDATED", "VALIDATED"))
        .body("cause", equalTo("QUORUM_VALIDATED"));
    // The timeline holds every transition, oldest first.
    List<String> sessionTransitions = operator().get("/api/v1/sessions/" + id + "/events?size=500").then()
        .statusCode(200).extract().jsonPath().getList("items.findAll { it.entity == 'session' }.to");
    assertThat(sessionTransitions).containsExactly("INITIALIZING", "IN_PROGRESS", "COMPLETED");
    // Capacity is released when work ends.
    operator().get("/api/v1/agents/" + a.id()).then().body("open_assignments", equalTo(0));
  }

  @Test
  void a_number_a_boolean_or_null_as_output_is_hashed_and_judged_like_any_json_value() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    TestAgent c = anAgent().register();
    String id = aSession().agents(a, b, c).create().getString("session_id");
    // SPEC §2: output is any JSON value; its checksum is the SHA-256 of its RFC 8785 form ("42", "true", "null").
    Map<TestAgent, String> outputs = new java.util.LinkedHashMap<>();
    outputs.put(a, "42");
    outputs.put(b, "true");
    outputs.put(c, "null");
    for (var e : outputs.entrySet()) {
      TestAgent agent = e.getKey();
      Map<String, Object> m = takeDelegation(agent);
      String assignmentId = (String) m.get("assignment_id");
      as(agent).post("/api/v1/assignments/" + assignmentId + "/ack").then().statusCode(200);
      String body = "{\"task_id\": \"" + m.get("task_id") + "\", \"completion_time\": \""
          + io.ares.testing.Sessions.now.get() + "\", \"output\": " + e.getValue() + ", \"checksum\": \""
          + io.ares.platform.Hashing.sha256Hex(e.getValue()) + "\", \"metrics\": {}}";
      if (agent == a) {
        // A number no IEEE 754 double holds has no canonical form: a 400, and the assignment is untouched.
        as(agent).body(body.replace("\"output\": 42", "\"output\": [1e400]"))
            .post("/api/v1/assignments/" + assignmentId + "/evidence").then().statusCode(400)
            .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
            .body("errors", hasSize(1));
        assertThat(operator().get("/api/v1/sessions/" + id).then().extract().jsonPath()
            .getList("assignments.state", String.class)).contains("ACKNOWLEDGED");
      }
      as(agent).body(body).post("/api/v1/assignments/" + assignmentId + "/evidence").then().statusCode(200)
          .body("overall_success", equalTo(true)).body("reasons", hasSize(0));
    }
    assertThat(stateOf(id)).isEqualTo("COMPLETED");
  }

  @Test
  void bad_evidence_lists_every_failed_reason_and_rolls_back_the_session() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aSession().agents(a, b).criteria("quality_score", ">= 8.0").create().getString("session_id");
    work(a, Map.of("quality_score", 9.0));
    Map<String, Object> m = takeDelegation(b);
    String assignment = (String) m.get("assignment_id");
    Map<String, Object> ev = evidence("wrong-task", "out", Map.of("quality_score", 2.0));
    ev.put("checksum", "0".repeat(64));
    JsonPath v = submit(b, assignment, ev);
    assertThat(v.getBoolean("overall_success")).isFalse();
    assertThat(v.getBoolean("proof_valid")).isFalse();
    assertThat(v.getBoolean("completion_valid")).isFalse();
    assertThat(v.getList("reasons", String.class)).contains("checksum mismatch", "task_id does not match the assignment")
        .anyMatch(r -> r.startsWith("criterion quality_score >= 8"));
    // Quorum unreachable: the validated participant is ordered to compensate.
    assertThat(stateOf(id)).isEqualTo("COMPENSATING");
    List<Map<String, Object>> msgs = poll(a);
    assertThat(msgs).hasSize(1);
    assertThat(msgs.get(0)).containsEntry("type", "compensation");
    assertThat((String) msgs.get(0).get("idempotency_key")).isNotBlank();
    as(a).body(Map.of("ok", true, "detail", "undone")).post("/api/v1/assignments/" + msgs.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(200).body("state", equalTo("COMPENSATED"));
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("ROLLED_BACK"))
        .body("cause", equalTo("COORDINATION_FAILED"));
  }

  @Test
  void an_identical_resubmission_returns_the_first_verdict_and_a_different_one_is_409() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    aSession().agents(a, b).create();
    Map<String, Object> m = takeDelegation(a);
    String assignment = (String) m.get("assignment_id");
    Map<String, Object> ev = evidence((String) m.get("task_id"), Map.of("answer", 42, "list", List.of(1, 2)), Map.of());
    JsonPath first = submit(a, assignment, ev);
    JsonPath again = submit(a, assignment, ev);
    assertThat(again.getString("timestamp")).isEqualTo(first.getString("timestamp"));
    Map<String, Object> other = new java.util.HashMap<>(ev);
    other.put("output", "something else");
    as(a).body(other).post("/api/v1/assignments/" + assignment + "/evidence").then().statusCode(409);
  }

  @Test
  void cancel_by_the_operator_compensates_in_reverse_order_of_validation() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    TestAgent c = anAgent().register();
    String id = aSession().agents(a, b, c).create().getString("session_id");
    work(b, Map.of());
    work(a, Map.of());
    takeDelegation(c); // c has the task: it must be told of the cancellation
    operator().body(Map.of("reason", "changed my mind")).post("/api/v1/sessions/" + id + "/cancel").then()
        .statusCode(200).body("state", equalTo("COMPENSATING")).body("cause", equalTo("CANCELLED"));
    // c gets a cancellation; a (validated last) gets the first order; b waits its turn.
    List<Map<String, Object>> forC = poll(c);
    assertThat(forC).extracting(x -> x.get("type")).containsExactly("cancellation");
    assertThat(forC.get(0)).containsEntry("reason", "CANCELLED").containsEntry("detail", "changed my mind");
    assertThat(poll(b)).isEmpty();
    List<Map<String, Object>> forA = poll(a);
    assertThat(forA).extracting(x -> x.get("type")).containsExactly("compensation");
    as(b).body(Map.of("ok", true)).post("/api/v1/assignments/" + forA.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(403);
    as(a).body(Map.of("ok", true)).post("/api/v1/assignments/" + forA.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(200);
    List<Map<String, Object>> forB = poll(b);
    assertThat(forB).extracting(x -> x.get("type")).containsExactly("compensation");
    as(b).body(Map.of("ok", false, "detail", "cannot undo")).post("/api/v1/assignments/" + forB.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(200).body("state", equalTo("COMPENSATION_FAILED"));
    assertThat(stateOf(id)).isEqualTo("COMPENSATION_FAILED");
    // The refusal is b's own act: its event names b as the actor.
    List<Map<String, Object>> events = operator().queryParam("size", 100).get("/api/v1/sessions/" + id + "/events")
        .then().statusCode(200).extract().jsonPath().getList("items");
    assertThat(events).filteredOn(e -> "COMPENSATION_FAILED".equals(e.get("to")) && "assignment".equals(e.get("entity")))
        .singleElement().satisfies(e -> assertThat(e.get("actor")).isEqualTo(b.id()));
    // The operator retries: b gets a fresh order with a new idempotency key.
    operator().post("/api/v1/sessions/" + id + "/compensation/retry").then().statusCode(200)
        .body("state", equalTo("COMPENSATING"));
    List<Map<String, Object>> retry = poll(b);
    assertThat(retry).hasSize(1);
    assertThat(retry.get(0).get("idempotency_key")).isNotEqualTo(forB.get(0).get("idempotency_key"));
    as(b).body(Map.of("ok", true)).post("/api/v1/assignments/" + retry.get(0).get("assignment_id") + "/compensated")
        .then().statusCode(200);
    assertThat(stateOf(id)).isEqualTo("ROLLED_BACK");
    operator().post("/api/v1/sessions/" + id + "/cancel").then().statusCode(409)
        .body("code", equalTo("INVALID_TRANSITION")).body("current_state", equalTo("ROLLED_BACK"));
  }

  @Test
  void a_cancelled_session_with_nothing_validated_is_rolled_back_at_once() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    operator().body(Map.of("reason", "x")).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(200)
        .body("state", equalTo("ROLLED_BACK")).body("assignments[0].state", equalTo("CANCELLED"));
    // A PENDING assignment is cancelled silently: no message at all.
    assertThat(poll(a)).isEmpty();
  }

  @Test
  void quorum_completes_early_and_cancels_the_open_assignments() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    TestAgent c = anAgent().register();
    String id = aSession().agents(a, b, c).quorum(2).create().getString("session_id");
    Map<String, Object> forC = takeDelegation(c);
    work(a, Map.of());
    work(b, Map.of());
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("COMPLETED"))
        .body("assignments.state", hasItem("CANCELLED"));
    assertThat(poll(c)).extracting(x -> x.get("type")).containsExactly("cancellation");
    // A zombie's late evidence is refused.
    as(c).body(evidence((String) forC.get("task_id"), "late", Map.of()))
        .post("/api/v1/assignments/" + forC.get("assignment_id") + "/evidence").then().statusCode(409)
        .body("code", equalTo("INVALID_TRANSITION"));
  }

  @Test
  void capability_sessions_pick_active_agents_with_capacity_and_need_enough_of_them() {
    String cap = uniqueId("cap");
    TestAgent a = anAgent().capabilities(cap).maxTasks(1).register();
    TestAgent b = anAgent().capabilities(cap).register();
    operator().body(aSession().capability(cap, 3).body()).post("/api/v1/sessions").then().statusCode(422)
        .body("code", equalTo("NO_ELIGIBLE_AGENTS"));
    JsonPath s = aSession().capability(cap, 2).create();
    assertThat(s.getList("assignments.agent_id", String.class)).containsExactlyInAnyOrder(a.id(), b.id());
    // a is now at capacity.
    operator().body(aSession().agents(a).body()).post("/api/v1/sessions").then().statusCode(422)
        .body("code", equalTo("NO_ELIGIBLE_AGENTS"));
    operator().body(aSession().agents(new TestAgent("no-such-agent", "")).body()).post("/api/v1/sessions").then()
        .statusCode(422).body("code", equalTo("UNKNOWN_AGENT"));
  }

  @Test
  void idempotency_key_returns_the_first_session_and_refuses_a_different_body() {
    TestAgent a = anAgent().register();
    var body = aSession().agents(a).body();
    String key = uniqueId("key");
    String first = operator().header("Idempotency-Key", key).body(body).post("/api/v1/sessions").then().statusCode(201)
        .extract().path("session_id");
    operator().header("Idempotency-Key", key).body(body).post("/api/v1/sessions").then().statusCode(200)
        .body("session_id", equalTo(first));
    operator().header("Idempotency-Key", key).body(aSession().agents(a).quorum(1).body()).post("/api/v1/sessions")
        .then().statusCode(409).body("code", equalTo("IDEMPOTENCY_CONFLICT"));
  }

  @Test
  void an_agent_coordinates_as_itself_and_sees_only_its_sessions() {
    TestAgent coord = anAgent().coordinator().register();
    TestAgent worker = anAgent().register();
    TestAgent outsider = anAgent().register();
    String id = as(coord).body(aSession().agents(worker).body()).post("/api/v1/sessions").then().statusCode(201)
        .body("coordinator_id", equalTo(coord.id())).extract().path("session_id");
    as(coord).body(aSession().agents(worker).coordinator(outsider.id()).body()).post("/api/v1/sessions").then()
        .statusCode(403);
    as(worker).get("/api/v1/sessions/" + id).then().statusCode(200);
    as(outsider).get("/api/v1/sessions/" + id).then().statusCode(403);
    viewer().get("/api/v1/sessions/" + id).then().statusCode(200);
    as(outsider).get("/api/v1/sessions").then().statusCode(200).body("total", equalTo(0));
    as(worker).get("/api/v1/sessions").then().statusCode(200).body("items.session_id", hasItem(id));
    as(outsider).post("/api/v1/sessions/" + id + "/cancel").then().statusCode(403);
    viewer().body(aSession().agents(worker).body()).post("/api/v1/sessions").then().statusCode(403);
    operator().get("/api/v1/sessions/not-a-uuid").then().statusCode(404);
    operator().get("/api/v1/sessions/" + java.util.UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void list_filters_by_state_agent_and_since() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    operator().queryParam("agent_id", a.id()).get("/api/v1/sessions").then().body("items", hasSize(1))
        .body("items[0].session_id", equalTo(id));
    operator().queryParam("agent_id", a.id()).queryParam("state", "COMPLETED").get("/api/v1/sessions").then()
        .body("total", equalTo(0));
    operator().queryParam("since", "2999-01-01T00:00:00Z").queryParam("agent_id", a.id()).get("/api/v1/sessions")
        .then().body("total", equalTo(0));
    operator().queryParam("since", "yesterday").get("/api/v1/sessions").then().statusCode(400);
    operator().queryParam("state", "DONE").get("/api/v1/sessions").then().statusCode(400);
  }

  @Test
  void ack_and_failure_follow_the_assignment_machine() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aSession().agents(a, b).create().getString("session_id");
    String pending = operator().get("/api/v1/sessions/" + id).then().extract()
        .path("assignments.find { it.agent_id == '" + a.id() + "' }.assignment_id");
    as(a).post("/api/v1/assignments/" + pending + "/ack").then().statusCode(409)
        .body("current_state", equalTo("PENDING")).body("allowed_next_states", hasItem("DELEGATED"));
    Map<String, Object> m = takeDelegation(a);
    as(a).post("/api/v1/assignments/" + m.get("assignment_id") + "/ack").then().statusCode(200)
        .body("state", equalTo("ACKNOWLEDGED"));
    as(a).body(Map.of("code", "OUT_OF_TOKENS", "message", "context full"))
        .post("/api/v1/assignments/" + m.get("assignment_id") + "/failure").then().statusCode(200)
        .body("state", equalTo("FAILED"));
    // Quorum 2 out of reach without retry: the session compensates (nothing validated → ROLLED_BACK).
    assertThat(stateOf(id)).isEqualTo("ROLLED_BACK");
    as(a).body(Map.of("message", "x")).post("/api/v1/assignments/" + m.get("assignment_id") + "/failure").then()
        .statusCode(400);
  }
}
