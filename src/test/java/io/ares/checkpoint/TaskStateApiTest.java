package io.ares.checkpoint;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.viewer;
import static io.ares.testing.Tasks.aTaskId;
import static io.ares.testing.Tasks.assignExisting;
import static io.ares.testing.Tasks.assignTo;
import static io.ares.testing.Tasks.checkpoint;
import static io.ares.testing.Tasks.path;
import static io.ares.testing.Tasks.withState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ares.platform.Hashing;
import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PUT/GET state and schema, ownership, bad input (SPEC §2 "Checkpoints and rollback", §3). */
@QuarkusTest
class TaskStateApiTest {

  @Inject Pool pool;
  @Inject SettableClock clock;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  /** Every endpoint of a task, each with a body fit for it (null: none). */
  private static final List<String[]> WRITES = List.of(
      new String[] {"PUT", "state", "{\"state\": {\"x\": 1}}"},
      new String[] {"PUT", "schema", "{\"schema\": {\"type\": \"object\"}}"},
      new String[] {"POST", "checkpoints", null},
      new String[] {"POST", "rollback", "{\"reason\": \"r\"}"});

  private static final List<String> READS = List.of("state", "schema", "checkpoints", "rollbacks", "consistency");

  private static Response send(RequestSpecification spec, String method, String url, String body) {
    if (body != null) {
      spec = spec.body(body);
    }
    return method.equals("PUT") ? spec.put(url) : spec.post(url);
  }

  @Test
  void an_agent_writes_and_reads_its_own_task_state() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    clock.set(Instant.parse("2031-03-04T05:06:07.123456Z"));
    as(a).body("{\"state\": {\"step\": 2, \"notes\": [\"a\", {\"b\": null}], \"done\": false}}")
        .put(path(id, "state")).then().statusCode(200)
        .body("task_id", equalTo(id))
        .body("state.step", equalTo(2))
        .body("state.notes[1].b", nullValue())
        .body("hash", equalTo(Hashing.sha256Hex("{\"done\":false,\"notes\":[\"a\",{\"b\":null}],\"step\":2}")))
        .body("updated_at", equalTo("2031-03-04T05:06:07.123456Z"))
        .body("updated_by", equalTo(a.id()));
    as(a).get(path(id, "state")).then().statusCode(200)
        .body("state.step", equalTo(2))
        .body("state.done", equalTo(false))
        .body("state.notes", hasSize(2));
    as(a).body(Map.of("state", Map.of("step", 3))).put(path(id, "state")).then().statusCode(200)
        .body("state.step", equalTo(3))
        .body("state.notes", nullValue());
  }

  @Test
  void get_of_a_task_without_state_is_404() {
    TestAgent a = anAgent().register();
    operator().get(path(aTaskId(), "state")).then().statusCode(404)
        .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
    as(a).get(path(aTaskId(), "state")).then().statusCode(404);
    String schemaOnly = aTaskId();
    operator().body(Map.of("schema", Map.of("type", "object"))).put(path(schemaOnly, "schema")).then().statusCode(200);
    operator().get(path(schemaOnly, "state")).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
  }

  @Test
  void a_task_id_that_cannot_be_one_is_404() {
    for (String bad : new String[] {"-starts-with-dash", "x".repeat(129), "bad!id", "sp%20ace", "_under"}) {
      operator().get("/api/v1/tasks/" + bad + "/state").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
      operator().body(Map.of("state", Map.of())).put("/api/v1/tasks/" + bad + "/state").then().statusCode(404);
      operator().post("/api/v1/tasks/" + bad + "/checkpoints").then().statusCode(404);
    }
    operator().body(Map.of("state", Map.of())).put("/api/v1/tasks/" + "x".repeat(128) + "/state").then().statusCode(200);
    operator().body(Map.of("state", Map.of())).put("/api/v1/tasks/A1.b_c:d-e/state").then().statusCode(200);
  }

  @Test
  void without_credentials_every_task_endpoint_is_401() {
    String id = withState(Map.of("x", 1));
    for (String r : READS) {
      anonymous().get(path(id, r)).then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
    }
    for (String[] w : WRITES) {
      send(anonymous(), w[0], path(id, w[1]), w[2]).then().statusCode(401);
    }
  }

  @Test
  void another_agent_gets_403_on_every_endpoint_of_a_task_that_is_not_its_own() {
    TestAgent owner = anAgent().register();
    TestAgent other = anAgent().register();
    String id = aTaskId();
    as(owner).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(200);
    as(owner).post(path(id, "checkpoints")).then().statusCode(201);
    for (String r : READS) {
      as(other).get(path(id, r)).then().statusCode(403).contentType("application/problem+json")
          .body("code", equalTo("FORBIDDEN"));
    }
    for (String[] w : WRITES) {
      send(as(other), w[0], path(id, w[1]), w[2]).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }
    // The owner keeps its task: nothing the other agent sent changed it.
    as(owner).get(path(id, "state")).then().statusCode(200).body("state.x", equalTo(1));
    as(owner).get(path(id, "checkpoints")).then().statusCode(200).body("total", equalTo(1));
    as(owner).get(path(id, "schema")).then().statusCode(404);
  }

  @Test
  void operators_read_and_write_any_task_and_viewers_only_read() {
    TestAgent owner = anAgent().register();
    String id = aTaskId();
    as(owner).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(200);
    for (String[] w : WRITES) {
      send(viewer(), w[0], path(id, w[1]), w[2]).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }
    operator().body(Map.of("state", Map.of("x", 2))).put(path(id, "state")).then().statusCode(200)
        .body("updated_by", equalTo("operator:admin"));
    operator().body(Map.of("schema", Map.of("type", "object"))).put(path(id, "schema")).then().statusCode(200);
    operator().post(path(id, "checkpoints")).then().statusCode(201).body("created_by", equalTo("operator:admin"));
    operator().body(Map.of("reason", "op")).post(path(id, "rollback")).then().statusCode(200);
    for (String r : READS) {
      viewer().get(path(id, r)).then().statusCode(200);
      operator().get(path(id, r)).then().statusCode(200);
    }
    // The operator's writes do not take the task from its agent.
    as(owner).body(Map.of("state", Map.of("x", 3))).put(path(id, "state")).then().statusCode(200);
  }

  @Test
  void a_task_belongs_to_the_agent_of_the_assignment_with_that_task_id() {
    TestAgent assigned = anAgent().register();
    TestAgent other = anAgent().register();
    String id = assignTo(pool, assigned.id());
    // Not even the first write makes another agent its owner.
    as(other).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(403);
    as(other).get(path(id, "state")).then().statusCode(403);
    as(assigned).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(200);
    as(assigned).post(path(id, "checkpoints")).then().statusCode(201);
    as(assigned).get(path(id, "consistency")).then().statusCode(200).body("consistent", equalTo(true));
    as(other).post(path(id, "checkpoints")).then().statusCode(403);
  }

  @Test
  void an_assignment_overrides_the_agent_that_wrote_the_task_first() {
    TestAgent first = anAgent().register();
    TestAgent assigned = anAgent().register();
    String id = aTaskId();
    as(first).body(Map.of("state", Map.of("x", 1))).put(path(id, "state")).then().statusCode(200);
    as(assigned).get(path(id, "state")).then().statusCode(403);
    assignExisting(pool, assigned.id(), id);
    as(assigned).get(path(id, "state")).then().statusCode(200).body("state.x", equalTo(1));
    as(first).get(path(id, "state")).then().statusCode(403);
  }

  @Test
  void a_task_written_first_by_an_operator_is_operator_owned_agents_read_it_but_never_write_it() {
    TestAgent a = anAgent().register();
    String id = withState(Map.of("x", 1));
    as(a).get(path(id, "state")).then().statusCode(200);
    as(a).body(Map.of("state", Map.of("x", 2))).put(path(id, "state")).then().statusCode(403)
        .body("code", equalTo("FORBIDDEN"));
    as(a).get(path(id, "state")).then().statusCode(200).body("state.x", equalTo(1));
    operator().body(Map.of("state", Map.of("x", 3))).put(path(id, "state")).then().statusCode(200);
  }

  @Test
  void a_task_nobody_wrote_is_claimed_by_the_first_agent_that_writes_it() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("x", 2))).put(path(id, "state")).then().statusCode(200);
    as(b).get(path(id, "state")).then().statusCode(403);
    as(b).body(Map.of("state", Map.of("x", 3))).put(path(id, "state")).then().statusCode(403);
    as(a).get(path(id, "state")).then().statusCode(200).body("state.x", equalTo(2));
  }

  @Test
  void a_schema_is_stored_and_read_back() {
    String id = aTaskId();
    operator().get(path(id, "schema")).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    Map<String, Object> schema = Map.of(
        "$schema", "https://json-schema.org/draft/2020-12/schema",
        "type", "object",
        "required", List.of("step"),
        "properties", Map.of("step", Map.of("type", "integer")));
    operator().body(Map.of("schema", schema)).put(path(id, "schema")).then().statusCode(200)
        .body("task_id", equalTo(id))
        .body("schema.required", hasItem("step"))
        .body("current_state_valid", nullValue());
    viewer().get(path(id, "schema")).then().statusCode(200).body("schema.properties.step.type", equalTo("integer"));
  }

  @Test
  void a_state_the_schema_refuses_is_422_with_the_errors_and_changes_nothing() {
    String id = withState(Map.of("step", 1));
    operator().body(Map.of("schema", Map.of(
            "type", "object",
            "required", List.of("step"),
            "properties", Map.of("step", Map.of("type", "integer", "minimum", 0)))))
        .put(path(id, "schema")).then().statusCode(200).body("current_state_valid", equalTo(true));
    operator().body(Map.of("state", Map.of("step", -1, "extra", true))).put(path(id, "state")).then().statusCode(422)
        .contentType("application/problem+json")
        .body("code", equalTo("SCHEMA_VIOLATION"))
        .body("errors", hasSize(1))
        .body("errors[0].instance_location", equalTo("/step"))
        .body("errors[0].keyword", equalTo("minimum"))
        .body("errors[0].message", notNullValue());
    operator().body(Map.of("state", Map.of("other", 1))).put(path(id, "state")).then().statusCode(422)
        .body("errors[0].keyword", equalTo("required"));
    operator().get(path(id, "state")).then().statusCode(200).body("state.step", equalTo(1)).body("version", equalTo(1));
    operator().body(Map.of("state", Map.of("step", 7))).put(path(id, "state")).then().statusCode(200);
  }

  @Test
  void a_schema_the_current_state_violates_is_accepted_and_checks_the_next_writes() {
    String id = withState(Map.of("step", "one"));
    operator().body(Map.of("schema", Map.of("properties", Map.of("step", Map.of("type", "integer")))))
        .put(path(id, "schema")).then().statusCode(200)
        .body("current_state_valid", equalTo(false))
        .body("current_state_errors[0].instance_location", equalTo("/step"));
    operator().get(path(id, "state")).then().statusCode(200).body("state.step", equalTo("one"));
    operator().body(Map.of("state", Map.of("step", "two"))).put(path(id, "state")).then().statusCode(422);
    operator().body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
  }

  @Test
  void an_invalid_schema_is_400_and_changes_nothing() {
    String id = withState(Map.of("step", 1));
    for (String bad : new String[] {
        "{\"schema\": {\"type\": \"strnig\"}}",
        "{\"schema\": {\"minimum\": \"zero\"}}",
        "{\"schema\": {\"pattern\": \"([a-z\"}}",
        "{\"schema\": {\"$ref\": \"https://example.com/schema.json\"}}",
        "{\"schema\": [1]}",
        "{\"schema\": true}",
        "{\"schema\": null}",
        "{}"}) {
      operator().body(bad).put(path(id, "schema")).then().statusCode(400)
          .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"));
    }
    operator().get(path(id, "schema")).then().statusCode(404);
    operator().body(Map.of("state", Map.of("step", "anything"))).put(path(id, "state")).then().statusCode(200);
  }

  private String snapshot(String taskId) {
    var row = pool.preparedQuery(
            "SELECT coalesce((SELECT version || '/' || coalesce(state::text, '-') || '/' || coalesce(json_schema::text, '-')"
                + " FROM task_state WHERE task_id = $1), 'none')"
                + " || '/' || (SELECT count(*) FROM task_checkpoint WHERE task_id = $1)"
                + " || '/' || (SELECT count(*) FROM task_rollback WHERE task_id = $1) AS s")
        .execute(Tuple.of(taskId)).await().indefinitely().iterator().next();
    return row.getString("s");
  }

  @Test
  void bad_bodies_are_400_problems_and_change_nothing() {
    String id = withState(Map.of("x", 1));
    String cp = checkpoint(id);
    String fresh = aTaskId();
    List<String[]> cases = new ArrayList<>();
    for (String body : new String[] {
        "{not json", "[]", "\"a string\"", "42", "null", "", "{}", "{\"state\": []}", "{\"state\": \"x\"}",
        "{\"state\": 5}", "{\"state\": true}", "{\"state\": null}", "{\"state\": {\"a\": 1}} trailing",
        "{\"state\": {\"s\": \"a\\u0000b\"}}", "{\"state\": {\"n\": 1e400}}", "{\"state\": {\"s\": \"\\ud800\"}}",
        "[".repeat(1100) + "]".repeat(1100),
        "{\"state\": {\"deep\": " + "[".repeat(1100) + "]".repeat(1100) + "}}"}) {
      cases.add(new String[] {"PUT", "state", body});
    }
    for (String body : new String[] {"{not json", "[]", "{\"schema\": \"x\"}", "{\"schema\": {\"type\": 5}}"}) {
      cases.add(new String[] {"PUT", "schema", body});
    }
    for (String body : new String[] {
        "{not json", "[]", "\"x\"", "{\"checkpoint_id\": 5}", "{\"checkpoint_id\": \"not-a-uuid\"}",
        "{\"checkpoint_id\": [\"" + cp + "\"]}", "{\"reason\": 5}", "{\"reason\": {\"a\": 1}}",
        "{\"reason\": \"" + "r".repeat(2001) + "\"}"}) {
      cases.add(new String[] {"POST", "rollback", body});
    }
    String before = snapshot(id);
    String beforeFresh = snapshot(fresh);
    for (String taskId : new String[] {id, fresh}) {
      for (String[] c : cases) {
        Response r = send(operator(), c[0], path(taskId, c[1]), c[2]);
        String what = c[0] + " " + c[1] + " <- " + c[2].substring(0, Math.min(60, c[2].length()));
        assertThat(r.statusCode()).as(what).isEqualTo(400);
        assertThat(r.contentType()).as(what).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).as(what).isEqualTo("VALIDATION_FAILED");
      }
    }
    assertThat(snapshot(id)).isEqualTo(before);
    assertThat(snapshot(fresh)).isEqualTo(beforeFresh).isEqualTo("none/0/0");
  }

  @Test
  void unknown_fields_are_ignored_and_strings_are_never_coerced() {
    String id = aTaskId();
    operator().body("{\"state\": {\"n\": \"5\"}, \"extra\": 1}").put(path(id, "state")).then().statusCode(200)
        .body("state.n", equalTo("5"));
  }

  /** Runs the calls on 8 threads at once and returns their status codes. */
  private static List<Integer> atOnce(List<Callable<Integer>> calls) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(8);
    List<Integer> codes = new ArrayList<>();
    try {
      for (Future<Integer> f : executor.invokeAll(calls)) {
        codes.add(f.get());
      }
    } finally {
      executor.shutdownNow();
    }
    return codes;
  }

  @Test
  void racing_first_writes_of_a_new_task_are_one_success_and_409s() throws Exception {
    TestAgent a = anAgent().register();
    for (int round = 0; round < 3; round++) {
      String id = aTaskId();
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        calls.add(() -> as(a).body(Map.of("state", Map.of("writer", n))).put(path(id, "state")).statusCode());
      }
      List<Integer> codes = atOnce(calls);
      assertThat(codes).as("round " + round).allMatch(c -> c == 200 || c == 409).contains(200);
      int version = operator().get(path(id, "state")).then().statusCode(200).extract().path("version");
      assertThat(version).isEqualTo(codes.stream().filter(c -> c == 200).count() - 1);
    }
  }

  private static final int IDENTICAL = -200;

  @Test
  void racing_writes_and_checkpoints_of_one_task_are_serialised_never_lost_never_a_5xx() throws Exception {
    TestAgent a = anAgent().register();
    for (int round = 0; round < 3; round++) {
      String id = aTaskId();
      as(a).body(Map.of("state", Map.of("writer", -1))).put(path(id, "state")).then().statusCode(200);
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        calls.add(() -> as(a).body(Map.of("state", Map.of("writer", n))).put(path(id, "state")).statusCode());
        // A checkpoint of a state identical to the newest checkpoint answers 200 and writes nothing: counted apart.
        calls.add(() -> {
          int c = as(a).post(path(id, "checkpoints")).statusCode();
          return c == 200 ? IDENTICAL : c;
        });
      }
      List<Integer> codes = atOnce(calls);
      // 409: a lost race, answered instead of silently overwriting the winner.
      assertThat(codes).as("round " + round).allMatch(c -> c == 200 || c == 201 || c == 409 || c == IDENTICAL);
      long ok = codes.stream().filter(c -> c == 200 || c == 201).count();
      long checkpoints = codes.stream().filter(c -> c == 201).count();
      // Every successful write bumped the version exactly once: no update was lost.
      int version = operator().get(path(id, "state")).then().statusCode(200).extract().path("version");
      assertThat(version).isEqualTo(ok);
      if (checkpoints > 0) {
        operator().get(path(id, "checkpoints")).then().body("total", equalTo((int) checkpoints));
        operator().get(path(id, "consistency")).then().statusCode(200).body("chain_intact", equalTo(true));
      }
    }
  }

  @Test
  void the_task_endpoints_are_in_the_openapi_document() {
    anonymous().get("/q/openapi?format=json").then().statusCode(200)
        .body("paths.'/api/v1/tasks/{task_id}/state'.put.tags", hasItem("tasks"))
        .body("paths.'/api/v1/tasks/{task_id}/rollback'.post.summary", notNullValue())
        .body("paths.'/api/v1/tasks/{task_id}/consistency'.get.summary", notNullValue());
  }
}
