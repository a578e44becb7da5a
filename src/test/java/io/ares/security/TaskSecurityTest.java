package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Tasks.aTaskId;
import static io.ares.testing.Tasks.assignExisting;
import static io.ares.testing.Tasks.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, the task part: each attack reproduced through the HTTP API against PostgreSQL, and shown refused —
 * checkpoint floods (quotas per agent, 429 with Retry-After, nothing stored past them), identical checkpoints stored
 * twice, hostile JSON Schemas (self reference, deep nesting, broken, exponential), an agent taking an operator's task,
 * and bodies that are JSON but not objects. The quotas' minute is passed by moving the engine's clock, never by
 * sleeping.
 */
@QuarkusTest
class TaskSecurityTest {

  @Inject Pool pool;
  @Inject SettableClock clock;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private static final Instant T0 = Instant.parse("2032-01-01T00:00:00Z");

  private String snapshot(String taskId) {
    var row = pool.preparedQuery(
            "SELECT coalesce((SELECT version || '/' || coalesce(state::text, '-') || '/' || coalesce(json_schema::text, '-')"
                + " || '/' || coalesce(owner_agent_id, '-') || '/' || operator_owned FROM task_state WHERE task_id = $1), 'none')"
                + " || '/' || (SELECT count(*) FROM task_checkpoint WHERE task_id = $1)"
                + " || '/' || (SELECT count(*) FROM task_rollback WHERE task_id = $1) AS s")
        .execute(Tuple.of(taskId)).await().indefinitely().iterator().next();
    return row.getString("s");
  }

  private long checkpointsOf(String taskId) {
    return pool.preparedQuery("SELECT count(*) AS n FROM task_checkpoint WHERE task_id = $1")
        .execute(Tuple.of(taskId)).await().indefinitely().iterator().next().getLong("n");
  }

  // ------------------------------------------------------------------------------------------ checkpoint flood

  @Test
  void a_flood_of_large_checkpoints_by_one_agent_is_429_with_retry_after_and_stores_nothing_past_the_budget() {
    clock.set(T0); // the minute does not pass while the test runs: exactly the budget is stored
    TestAgent mallory = anAgent().register();
    String id = aTaskId();
    String blob = "x".repeat(870_000);
    int created = 0;
    Response firstRefusal = null;
    for (int i = 0; i < 25; i++) {
      as(mallory).body(Map.of("state", Map.of("blob", blob, "i", i))).put(path(id, "state")).then().statusCode(200);
      Response r = as(mallory).post(path(id, "checkpoints"));
      if (r.statusCode() == 201) {
        assertThat(firstRefusal).as("no checkpoint is stored after the first refusal").isNull();
        created++;
      } else {
        assertThat(r.statusCode()).isEqualTo(429);
        if (firstRefusal == null) {
          firstRefusal = r;
        }
      }
    }
    // 16 MiB per minute of ~870 KB states: 19 stored, the rest refused.
    assertThat(created).isEqualTo(16 * 1024 * 1024 / 870_030);
    assertThat(checkpointsOf(id)).isEqualTo(created);
    assertThat(firstRefusal).isNotNull();
    assertThat(firstRefusal.contentType()).startsWith("application/problem+json");
    assertThat(firstRefusal.jsonPath().getString("code")).isEqualTo("RATE_LIMITED");
    long retryAfter = Long.parseLong(firstRefusal.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(firstRefusal.jsonPath().getLong("retry_after_seconds")).isEqualTo(retryAfter);
    // Once Retry-After has passed, the agent may checkpoint again.
    clock.advance(Duration.ofSeconds(retryAfter));
    as(mallory).post(path(id, "checkpoints")).then().statusCode(201);
    assertThat(checkpointsOf(id)).isEqualTo(created + 1);
  }

  @Test
  void more_than_sixty_checkpoints_a_minute_by_one_agent_are_429_and_operators_are_not_limited() {
    clock.set(T0);
    TestAgent a = anAgent().register();
    String id = aTaskId();
    for (int i = 0; i < 60; i++) {
      as(a).body(Map.of("state", Map.of("i", i))).put(path(id, "state")).then().statusCode(200);
      as(a).post(path(id, "checkpoints")).then().statusCode(201);
    }
    as(a).body(Map.of("state", Map.of("i", 60))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(429)
        .header("Retry-After", "1")
        .body("code", equalTo("RATE_LIMITED"));
    assertThat(checkpointsOf(id)).isEqualTo(60);
    // Another agent has its own quota.
    TestAgent b = anAgent().register();
    String other = aTaskId();
    as(b).body(Map.of("state", Map.of("i", 0))).put(path(other, "state")).then().statusCode(200);
    as(b).post(path(other, "checkpoints")).then().statusCode(201);
    // A second later, one more.
    clock.advance(Duration.ofSeconds(1));
    as(a).post(path(id, "checkpoints")).then().statusCode(201);
    // The operator (who answers for the deployment) checkpoints the same task beyond any agent's quota.
    for (int i = 0; i < 61; i++) {
      operator().body(Map.of("state", Map.of("op", i))).put(path(id, "state")).then().statusCode(200);
      operator().post(path(id, "checkpoints")).then().statusCode(201);
    }
  }

  // ----------------------------------------------------------------------------------- identical checkpoints

  @Test
  void an_identical_checkpoint_is_not_stored_twice_and_answers_the_newest_with_200() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    Response c1 = as(a).post(path(id, "checkpoints"));
    c1.then().statusCode(201);
    String c1Id = c1.path("checkpoint_id");
    String h1 = c1.path("hash");
    for (int i = 0; i < 3; i++) {
      as(a).post(path(id, "checkpoints")).then().statusCode(200)
          .body("checkpoint_id", equalTo(c1Id))
          .body("hash", equalTo(h1))
          .header("Location", org.hamcrest.Matchers.endsWith("/checkpoints/" + c1Id));
    }
    // Key order does not make a state different (the hash is of the canonical JSON).
    as(a).body("{\"state\": {\"step\": 1}}").put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(200).body("checkpoint_id", equalTo(c1Id));
    assertThat(checkpointsOf(id)).isEqualTo(1);
    as(a).body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(201).body("previous_hash", equalTo(h1));
  }

  @Test
  void after_a_rollback_to_an_older_checkpoint_latest_means_the_newest_checkpoint_row() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    Response c1 = as(a).post(path(id, "checkpoints"));
    String c1Id = c1.path("checkpoint_id");
    String h1 = c1.path("hash");
    as(a).body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
    Response c2 = as(a).post(path(id, "checkpoints"));
    String c2Id = c2.path("checkpoint_id");
    String h2 = c2.path("hash");
    // Back to step 1: the latest checkpoint event is c1 now, the newest checkpoint is still c2.
    as(a).body(Map.of("checkpoint_id", c1Id)).post(path(id, "rollback")).then().statusCode(200);
    as(a).get(path(id, "consistency")).then().statusCode(200).body("consistent", equalTo(true))
        .body("checkpoint_hash", equalTo(h1));
    // Checkpointing the restored state is a new link after the newest (c2): so that a rollback to the newest
    // checkpoint later restores this state, not step 2.
    Response c3 = as(a).post(path(id, "checkpoints"));
    c3.then().statusCode(201).body("hash", equalTo(h1)).body("previous_hash", equalTo(h2));
    String c3Id = c3.path("checkpoint_id");
    as(a).post(path(id, "checkpoints")).then().statusCode(200).body("checkpoint_id", equalTo(c3Id));
    // Rolled back to c2, then the state written back to what c3 holds: identical to the newest (c3), so 200 with
    // c3, which becomes the latest checkpoint event again (the consistency report follows it).
    as(a).body(Map.of("checkpoint_id", c2Id)).post(path(id, "rollback")).then().statusCode(200);
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    as(a).get(path(id, "consistency")).then().body("consistent", equalTo(false));
    as(a).post(path(id, "checkpoints")).then().statusCode(200).body("checkpoint_id", equalTo(c3Id));
    as(a).get(path(id, "consistency")).then().statusCode(200)
        .body("consistent", equalTo(true))
        .body("checkpoint_hash", equalTo(h1))
        .body("chain_intact", equalTo(true));
    as(a).body("{}").post(path(id, "rollback")).then().statusCode(200).body("checkpoint_id", equalTo(c3Id));
    assertThat(checkpointsOf(id)).isEqualTo(3);
  }

  // ---------------------------------------------------------------------------------------- hostile schemas

  private static String nested(int levels) {
    return "{\"properties\": {\"a\": ".repeat(levels) + "{}" + "}}".repeat(levels);
  }

  @Test
  void hostile_schemas_are_400_and_never_stored_and_the_task_stays_usable() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    String cp = as(a).post(path(id, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
    String before = snapshot(id);
    for (String schema : new String[] {
        "{\"$ref\": \"#\"}",
        "{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": {\"anyOf\": [{\"$ref\": \"#/$defs/a\"}]}}, \"$ref\": \"#/$defs/a\"}",
        nested(400),
        nested(60),
        "{\"type\": \"strnig\"}",
        "{\"$ref\": \"#/$defs/nowhere\"}",
        "{\"$schema\": \"http://json-schema.org/draft-04/schema#\"}",
        "{\"pattern\": \"([a-z\"}"}) {
      Response r = as(a).body("{\"schema\": " + schema + "}").put(path(id, "schema"));
      String what = schema.substring(0, Math.min(60, schema.length()));
      assertThat(r.statusCode()).as(what).isEqualTo(400);
      assertThat(r.contentType()).as(what).startsWith("application/problem+json");
      assertThat(r.jsonPath().getString("code")).as(what).isEqualTo("VALIDATION_FAILED");
      assertThat(r.jsonPath().getString("detail")).as(what).isNotBlank();
      operator().body("{\"schema\": " + schema + "}").put(path(id, "schema")).then().statusCode(400);
    }
    assertThat(snapshot(id)).isEqualTo(before);
    // Everything about the task still works.
    as(a).get(path(id, "schema")).then().statusCode(404);
    as(a).get(path(id, "state")).then().statusCode(200).body("state.step", equalTo(1));
    as(a).get(path(id, "consistency")).then().statusCode(200).body("consistent", equalTo(true));
    as(a).body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
    operator().body(Map.of("checkpoint_id", cp)).post(path(id, "rollback")).then().statusCode(200);
    // A legal recursive schema (a tree) is accepted and checks the writes.
    as(a).body("{\"schema\": {\"properties\": {\"step\": {\"type\": \"integer\"}, \"kids\": {\"items\": {\"$ref\": \"#\"}}}}}")
        .put(path(id, "schema")).then().statusCode(200).body("current_state_valid", equalTo(true));
    as(a).body(Map.of("state", Map.of("step", 1, "kids", List.of(Map.of("step", "x"))))).put(path(id, "state"))
        .then().statusCode(422).body("code", equalTo("SCHEMA_VIOLATION"));
  }

  @Test
  void a_schema_whose_evaluation_would_never_end_in_practice_refuses_the_writes_it_cannot_judge_never_a_500() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    String bad = "a".repeat(32) + "!";
    as(a).body(Map.of("state", Map.of("s", bad))).put(path(id, "state")).then().statusCode(200);
    String badCp = as(a).post(path(id, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
    as(a).body(Map.of("state", Map.of("s", "aaaa"))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(201);
    // 2^40 validators to compile, no cycle: refused within the bounds, nothing stored.
    StringBuilder s = new StringBuilder("{\"$ref\": \"#/$defs/d0\", \"$defs\": {");
    for (int i = 0; i < 40; i++) {
      s.append("\"d").append(i).append("\": {\"allOf\": [{\"$ref\": \"#/$defs/d").append(i + 1)
          .append("\"}, {\"$ref\": \"#/$defs/d").append(i + 1).append("\"}]},");
    }
    s.append("\"d40\": {\"type\": \"object\"}}}");
    as(a).body("{\"schema\": " + s + "}").put(path(id, "schema")).then().statusCode(400)
        .body("code", equalTo("VALIDATION_FAILED"));
    // A catastrophic pattern: legal, but minutes of backtracking on the wrong string; stopped by the time bound.
    as(a).body("{\"schema\": {\"properties\": {\"s\": {\"pattern\": \"^((a+)+)+$\"}}}}").put(path(id, "schema"))
        .then().statusCode(200).body("current_state_valid", equalTo(true));
    String before = snapshot(id);
    as(a).body(Map.of("state", Map.of("s", bad))).put(path(id, "state")).then().statusCode(422)
        .body("code", equalTo("SCHEMA_VIOLATION"))
        .body("errors.keyword", hasItem("limit"));
    as(a).body(Map.of("checkpoint_id", badCp)).post(path(id, "rollback")).then().statusCode(409)
        .body("code", equalTo("CHECKPOINT_INVALID"))
        .body("errors.keyword", hasItem("limit"));
    assertThat(snapshot(id)).isEqualTo(before);
    as(a).get(path(id, "schema")).then().statusCode(200).body("current_state_valid", equalTo(true));
    // The owner replaces the schema and the checkpoint can be restored.
    as(a).body("{\"schema\": {\"type\": \"object\"}}").put(path(id, "schema")).then().statusCode(200);
    as(a).body(Map.of("checkpoint_id", badCp)).post(path(id, "rollback")).then().statusCode(200);
  }

  @Test
  void a_self_referring_schema_stored_before_these_rules_never_makes_a_request_fail() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    String cp = as(a).post(path(id, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
    pool.preparedQuery("UPDATE task_state SET json_schema = '{\"$ref\": \"#\"}'::jsonb WHERE task_id = $1")
        .execute(Tuple.of(id)).await().indefinitely();
    as(a).get(path(id, "schema")).then().statusCode(200).body("current_state_valid", equalTo(false));
    as(a).get(path(id, "state")).then().statusCode(200);
    as(a).body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(422);
    operator().body(Map.of("checkpoint_id", cp)).post(path(id, "rollback")).then().statusCode(409)
        .body("code", equalTo("CHECKPOINT_INVALID"));
    as(a).body("{\"schema\": {\"type\": \"object\"}}").put(path(id, "schema")).then().statusCode(200);
    operator().body(Map.of("checkpoint_id", cp)).post(path(id, "rollback")).then().statusCode(200);
  }

  // ------------------------------------------------------------------------------------ operator-owned tasks

  @Test
  void a_task_an_operator_wrote_first_cannot_be_taken_over_by_an_agent() {
    String id = "prod-config-" + aTaskId().replace(":", "-");
    operator().body(Map.of("state", Map.of("replicas", 3))).put(path(id, "state")).then().statusCode(200);
    operator().post(path(id, "checkpoints")).then().statusCode(201);
    TestAgent mallory = anAgent().register();
    String before = snapshot(id);
    as(mallory).body(Map.of("state", Map.of("replicas", 0))).put(path(id, "state")).then().statusCode(403)
        .contentType("application/problem+json").body("code", equalTo("FORBIDDEN"));
    as(mallory).body("{\"schema\": {\"type\": \"object\"}}").put(path(id, "schema")).then().statusCode(403);
    as(mallory).post(path(id, "checkpoints")).then().statusCode(403);
    as(mallory).body("{}").post(path(id, "rollback")).then().statusCode(403);
    assertThat(snapshot(id)).isEqualTo(before).contains("/-/true/");
    // Agents may read it (SPEC: writes are refused); operators keep writing it.
    as(mallory).get(path(id, "state")).then().statusCode(200).body("state.replicas", equalTo(3));
    operator().body(Map.of("state", Map.of("replicas", 4))).put(path(id, "state")).then().statusCode(200);
    // Not even an assignment naming the task hands it to an agent.
    assignExisting(pool, mallory.id(), id);
    as(mallory).body(Map.of("state", Map.of("replicas", 0))).put(path(id, "state")).then().statusCode(403);
    operator().get(path(id, "state")).then().body("state.replicas", equalTo(4));
  }

  @Test
  void a_task_an_operator_gave_only_a_schema_first_is_operator_owned_too() {
    String id = aTaskId();
    operator().body("{\"schema\": {\"type\": \"object\"}}").put(path(id, "schema")).then().statusCode(200);
    TestAgent a = anAgent().register();
    as(a).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(403);
    as(a).body("{\"schema\": true}").put(path(id, "schema")).then().statusCode(400);
    as(a).body("{\"schema\": {}}").put(path(id, "schema")).then().statusCode(403);
  }

  // ------------------------------------------------------------------------------- bodies that are not objects

  private static final String[] NOT_OBJECTS = {"null", " null ", "[]", "[{}]", "\"x\"", "42", "true"};

  private static Response post(RequestSpecification spec, String method, String url, String body) {
    spec = spec.body(body);
    return method.equals("PUT") ? spec.put(url) : spec.post(url);
  }

  private static void refusedEverywhere(Supplier<RequestSpecification> who, String method, String url,
      Supplier<String> state) {
    String before = state.get();
    for (String body : NOT_OBJECTS) {
      Response r = post(who.get(), method, url, body);
      String what = method + " " + url + " <- " + body;
      assertThat(r.statusCode()).as(what).isEqualTo(400);
      assertThat(r.contentType()).as(what).startsWith("application/problem+json");
      assertThat(r.jsonPath().getString("code")).as(what).isEqualTo("VALIDATION_FAILED");
    }
    assertThat(state.get()).as(method + " " + url).isEqualTo(before);
  }

  @Test
  void a_null_rollback_body_is_400_and_rolls_nothing_back() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(201);
    as(a).body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
    String before = snapshot(id);
    as(a).body("null").post(path(id, "rollback")).then().statusCode(400)
        .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"));
    operator().body("null").post(path(id, "rollback")).then().statusCode(400);
    assertThat(snapshot(id)).isEqualTo(before);
    as(a).get(path(id, "state")).then().body("state.step", equalTo(2));
    // No body at all still means "the newest checkpoint, no reason".
    as(a).post(path(id, "rollback")).then().statusCode(200).body("reason", nullValue());
    as(a).get(path(id, "state")).then().body("state.step", equalTo(1));
  }

  @Test
  void every_endpoint_that_reads_a_json_object_refuses_other_json_and_changes_nothing() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("step", 1))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(201);
    Supplier<String> task = () -> snapshot(id);
    refusedEverywhere(() -> as(a), "PUT", path(id, "state"), task);
    refusedEverywhere(() -> as(a), "PUT", path(id, "schema"), task);
    refusedEverywhere(() -> as(a), "POST", path(id, "rollback"), task);

    // Agents: quarantine and release (operator), registration (anyone).
    Supplier<String> agentState = () -> operator().get("/api/v1/agents/" + a.id()).then().extract().asString();
    refusedEverywhere(Api_operator(), "POST", "/api/v1/agents/" + a.id() + "/quarantine", agentState);
    refusedEverywhere(Api_operator(), "POST", "/api/v1/agents/" + a.id() + "/release", agentState);
    Supplier<String> agentCount = () -> operator().get("/api/v1/agents?size=1").then().extract().path("total").toString();
    refusedEverywhere(() -> anonymous(), "POST", "/api/v1/agents", agentCount);

    // Sessions: creation, cancel with a reason; assignments: evidence, failure, compensated.
    Supplier<String> sessionCount = () -> operator().get("/api/v1/sessions?size=1").then().extract().path("total").toString();
    refusedEverywhere(Api_operator(), "POST", "/api/v1/sessions", sessionCount);
    String sessionId = aSession().agents(a).create().getString("session_id");
    Supplier<String> session = () -> operator().get("/api/v1/sessions/" + sessionId).then().extract().asString();
    refusedEverywhere(Api_operator(), "POST", "/api/v1/sessions/" + sessionId + "/cancel", session);
    String assignmentId = (String) takeDelegation(a).get("assignment_id");
    // Ignored bodies stay ignored: an ack with a body that is no object still acks.
    as(a).body("null").post("/api/v1/assignments/" + assignmentId + "/ack").then().statusCode(200);
    as(a).body("[1]").post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    refusedEverywhere(() -> as(a), "POST", "/api/v1/assignments/" + assignmentId + "/evidence", session);
    refusedEverywhere(() -> as(a), "POST", "/api/v1/assignments/" + assignmentId + "/failure", session);
    refusedEverywhere(() -> as(a), "POST", "/api/v1/assignments/" + assignmentId + "/compensated", session);
    // A cancel without a body is still a cancel.
    operator().post("/api/v1/sessions/" + sessionId + "/cancel").then().statusCode(200);
  }

  private static Supplier<RequestSpecification> Api_operator() {
    return io.ares.testing.Api::operator;
  }
}
