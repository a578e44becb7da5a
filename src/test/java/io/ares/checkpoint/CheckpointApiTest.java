package io.ares.checkpoint;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.viewer;
import static io.ares.testing.Tasks.aTaskId;
import static io.ares.testing.Tasks.checkpoint;
import static io.ares.testing.Tasks.path;
import static io.ares.testing.Tasks.withState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.platform.Hashing;
import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checkpoints, the hash chain, rollback, its history and the consistency report (SPEC §2, §3). */
@QuarkusTest
class CheckpointApiTest {

  @Inject Pool pool;
  @Inject SettableClock clock;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private static void putState(String taskId, Map<String, Object> state) {
    operator().body(Map.of("state", state)).put(path(taskId, "state")).then().statusCode(200);
  }

  private static String hashOf(String taskId, String checkpointId) {
    return operator().get(path(taskId, "checkpoints/" + checkpointId)).then().statusCode(200).extract().path("hash");
  }

  private void sql(String sql, Object... params) {
    pool.preparedQuery(sql).execute(Tuple.from(List.of(params))).await().indefinitely();
  }

  @Test
  void a_checkpoint_is_201_with_the_hash_of_the_canonical_state_and_no_previous_hash_at_first() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body("{\"state\": {\"b\": [1, 2.50, \"\\u00e9\"], \"a\": {\"z\": true, \"y\": null}}}")
        .put(path(id, "state")).then().statusCode(200);
    clock.set(Instant.parse("2032-01-02T03:04:05.000006Z"));
    String expected = Hashing.sha256Hex("{\"a\":{\"y\":null,\"z\":true},\"b\":[1,2.5,\"é\"]}");
    String cp = as(a).post(path(id, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
    var first = as(a).get(path(id, "checkpoints")).then().statusCode(200).extract().jsonPath();
    assertThat(first.getString("items[0].hash")).isEqualTo(expected);
    assertThat(first.getString("items[0].previous_hash")).isNull();
    assertThat(first.getString("items[0].created_at")).isEqualTo("2032-01-02T03:04:05.000006Z");
    assertThat(first.getString("items[0].checkpoint_id")).isEqualTo(cp);
    assertThat(first.getInt("total")).isEqualTo(1);
  }

  @Test
  void a_checkpoint_answers_its_id_hash_previous_hash_created_at_and_location() {
    String id = withState(Map.of("k", "v"));
    var r = operator().post(path(id, "checkpoints"));
    r.then().statusCode(201)
        .body("checkpoint_id", matchesPattern("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
        .body("task_id", equalTo(id))
        .body("seq", equalTo(1))
        .body("hash", equalTo(Hashing.sha256Hex("{\"k\":\"v\"}")))
        .body("previous_hash", nullValue())
        .body("created_at", startsWith("20"));
    assertThat(r.header("Location")).endsWith("/api/v1/tasks/" + id + "/checkpoints/" + r.path("checkpoint_id"));
    assertThat(r.asString()).contains("\"previous_hash\":null");
    operator().get(path(id, "checkpoints/" + r.path("checkpoint_id"))).then().statusCode(200)
        .body("state.k", equalTo("v")).body("seq", equalTo(1));
  }

  @Test
  void key_order_does_not_change_the_hash() {
    String one = aTaskId();
    String two = aTaskId();
    operator().body("{\"state\": {\"a\": 1, \"b\": {\"c\": [1, 2], \"d\": \"x\"}}}").put(path(one, "state"))
        .then().statusCode(200);
    operator().body("{\"state\": {\"b\": {\"d\": \"x\", \"c\": [1, 2]}, \"a\": 1.0}}").put(path(two, "state"))
        .then().statusCode(200);
    String h1 = operator().post(path(one, "checkpoints")).then().statusCode(201).extract().path("hash");
    String h2 = operator().post(path(two, "checkpoints")).then().statusCode(201).extract().path("hash");
    assertThat(h1).isEqualTo(h2).isEqualTo(Hashing.sha256Hex("{\"a\":1,\"b\":{\"c\":[1,2],\"d\":\"x\"}}"));
    operator().get(path(one, "state")).then().body("hash", equalTo(h1));
  }

  @Test
  void numbers_unicode_and_deep_nesting_survive_storage_with_the_same_hash() throws Exception {
    String deep = "{\"d\": ".repeat(300) + "1" + "}".repeat(300);
    String state = "{\"big\": 12345678901234567890, \"f\": 0.1, \"e\": 1e-7, \"neg\": -0.0, \"one\": 1.0,"
        + " \"emoji\": \"\ud83d\ude00\", \"esc\": \"line\\nbreak \\\"q\\\"\", \"deep\": " + deep + "}";
    String id = aTaskId();
    String written = operator().body("{\"state\": " + state + "}").put(path(id, "state")).then().statusCode(200)
        .extract().path("hash");
    String expected = Hashing.canonicalHash(new ObjectMapper().readTree(state));
    assertThat(written).isEqualTo(expected);
    String cp = checkpoint(id);
    assertThat(hashOf(id, cp)).isEqualTo(expected);
    operator().get(path(id, "state")).then().body("hash", equalTo(expected)).body("state.emoji", equalTo("\ud83d\ude00"));
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(true)).body("chain_intact", equalTo(true));
    putState(id, Map.of("n", 1));
    operator().body(Map.of("checkpoint_id", cp)).post(path(id, "rollback")).then().statusCode(200);
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(true)).body("current_hash", equalTo(expected));
  }

  @Test
  void checkpoints_form_a_chain_listed_oldest_first_and_are_never_removed() {
    String id = withState(Map.of("n", 1));
    String c1 = checkpoint(id);
    putState(id, Map.of("n", 2));
    String c2 = checkpoint(id);
    putState(id, Map.of("n", 3));
    String c3 = checkpoint(id);
    var list = viewer().get(path(id, "checkpoints")).then().statusCode(200)
        .body("total", equalTo(3)).body("page", equalTo(0)).body("size", equalTo(50))
        .body("items", hasSize(3))
        .body("items[0].state", nullValue())
        .extract().jsonPath();
    assertThat(list.getList("items.checkpoint_id")).containsExactly(c1, c2, c3);
    assertThat(list.getList("items.seq")).containsExactly(1, 2, 3);
    assertThat(list.getString("items[0].previous_hash")).isNull();
    assertThat(list.getString("items[1].previous_hash")).isEqualTo(list.getString("items[0].hash"));
    assertThat(list.getString("items[2].previous_hash")).isEqualTo(list.getString("items[1].hash"));
    operator().body(Map.of("checkpoint_id", c1, "reason", "back")).post(path(id, "rollback")).then().statusCode(200);
    // A rollback restores, it does not truncate.
    viewer().get(path(id, "checkpoints")).then().body("total", equalTo(3));
    String c4 = checkpoint(id);
    var after = viewer().get(path(id, "checkpoints")).then().body("total", equalTo(4)).extract().jsonPath();
    assertThat(after.getString("items[3].checkpoint_id")).isEqualTo(c4);
    assertThat(after.getString("items[3].previous_hash")).isEqualTo(list.getString("items[2].hash"));
    assertThat(after.getString("items[3].hash")).isEqualTo(list.getString("items[0].hash"));
  }

  @Test
  void checkpoints_are_paged() {
    String id = withState(Map.of("n", 0));
    for (int i = 1; i <= 5; i++) {
      putState(id, Map.of("n", i));
      checkpoint(id);
    }
    operator().queryParam("size", 2).queryParam("page", 1).get(path(id, "checkpoints")).then().statusCode(200)
        .body("total", equalTo(5)).body("page", equalTo(1)).body("size", equalTo(2))
        .body("items.seq", equalTo(List.of(3, 4)));
    operator().queryParam("size", 2).queryParam("page", 2).get(path(id, "checkpoints")).then()
        .body("items.seq", equalTo(List.of(5)));
    operator().queryParam("size", 2).queryParam("page", 9).get(path(id, "checkpoints")).then().statusCode(200)
        .body("items", hasSize(0)).body("total", equalTo(5));
    operator().queryParam("size", 500).get(path(id, "checkpoints")).then().statusCode(200);
    for (Object[] bad : new Object[][] {{"size", 0}, {"size", 501}, {"page", -1}, {"size", "x"}, {"page", "1.5"}}) {
      operator().queryParam((String) bad[0], bad[1]).get(path(id, "checkpoints")).then().statusCode(400)
          .body("code", equalTo("VALIDATION_FAILED"));
      operator().queryParam((String) bad[0], bad[1]).get(path(id, "rollbacks")).then().statusCode(400);
    }
  }

  @Test
  void a_checkpoint_of_a_task_without_state_is_404() {
    operator().post(path(aTaskId(), "checkpoints")).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    String schemaOnly = aTaskId();
    operator().body(Map.of("schema", Map.of("type", "object"))).put(path(schemaOnly, "schema")).then().statusCode(200);
    operator().post(path(schemaOnly, "checkpoints")).then().statusCode(404);
    operator().get(path(schemaOnly, "checkpoints")).then().statusCode(200).body("total", equalTo(0));
    operator().get(path(aTaskId(), "checkpoints")).then().statusCode(404);
    operator().get(path(aTaskId(), "rollbacks")).then().statusCode(404);
    String id = withState(Map.of("n", 1));
    operator().get(path(id, "checkpoints/" + UUID.randomUUID())).then().statusCode(404);
    operator().get(path(id, "checkpoints/not-a-uuid")).then().statusCode(404);
  }

  @Test
  void rollback_restores_the_newest_checkpoint_by_default() {
    TestAgent a = anAgent().register();
    String id = aTaskId();
    as(a).body(Map.of("state", Map.of("n", 1))).put(path(id, "state")).then().statusCode(200);
    as(a).post(path(id, "checkpoints")).then().statusCode(201);
    as(a).body(Map.of("state", Map.of("n", 2, "tag", "two"))).put(path(id, "state")).then().statusCode(200);
    String c2 = as(a).post(path(id, "checkpoints")).then().statusCode(201).extract().path("checkpoint_id");
    as(a).body(Map.of("state", Map.of("n", 3))).put(path(id, "state")).then().statusCode(200);
    clock.set(Instant.parse("2033-06-07T08:09:10Z"));
    as(a).body(Map.of("reason", "bad step")).post(path(id, "rollback")).then().statusCode(200)
        .body("task_id", equalTo(id))
        .body("checkpoint_id", equalTo(c2))
        .body("rolled_back_at", equalTo("2033-06-07T08:09:10Z"))
        .body("reason", equalTo("bad step"))
        .body("actor", equalTo(a.id()))
        .body("hash", equalTo(hashOf(id, c2)));
    as(a).get(path(id, "state")).then().body("state.n", equalTo(2)).body("state.tag", equalTo("two"));
    // No body at all: the newest checkpoint, no reason.
    putState(id, Map.of("n", 4));
    operator().post(path(id, "rollback")).then().statusCode(200)
        .body("checkpoint_id", equalTo(c2)).body("reason", nullValue());
    operator().get(path(id, "state")).then().body("state.n", equalTo(2));
  }

  @Test
  void rollback_restores_a_named_checkpoint() {
    String id = withState(Map.of("n", 1, "list", List.of(1, 2)));
    String c1 = checkpoint(id);
    putState(id, Map.of("n", 2));
    checkpoint(id);
    operator().body(Map.of("checkpoint_id", c1, "reason", "to the start")).post(path(id, "rollback"))
        .then().statusCode(200).body("checkpoint_id", equalTo(c1));
    operator().get(path(id, "state")).then().body("state.n", equalTo(1)).body("state.list", equalTo(List.of(1, 2)));
  }

  @Test
  void rollback_without_state_or_checkpoint_or_of_an_unknown_checkpoint_is_404() {
    operator().body(Map.of("reason", "r")).post(path(aTaskId(), "rollback")).then().statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    String id = withState(Map.of("n", 1));
    operator().body(Map.of("reason", "r")).post(path(id, "rollback")).then().statusCode(404)
        .body("detail", containsString("checkpoint"));
    checkpoint(id);
    operator().body(Map.of("checkpoint_id", UUID.randomUUID().toString())).post(path(id, "rollback"))
        .then().statusCode(404);
    String otherTask = withState(Map.of("n", 9));
    String foreign = checkpoint(otherTask);
    operator().body(Map.of("checkpoint_id", foreign)).post(path(id, "rollback")).then().statusCode(404);
    operator().get(path(id, "state")).then().body("state.n", equalTo(1));
    operator().get(path(id, "rollbacks")).then().statusCode(200).body("total", equalTo(0));
  }

  @Test
  void rollback_history_is_listed_newest_first_and_paged() {
    String id = withState(Map.of("n", 1));
    String c1 = checkpoint(id);
    putState(id, Map.of("n", 2));
    String c2 = checkpoint(id);
    operator().body(Map.of("checkpoint_id", c1, "reason", "first")).post(path(id, "rollback")).then().statusCode(200);
    clock.advance(Duration.ofSeconds(1));
    operator().body(Map.of("checkpoint_id", c2, "reason", "second")).post(path(id, "rollback")).then().statusCode(200);
    operator().body(Map.of("checkpoint_id", c1, "reason", "third")).post(path(id, "rollback")).then().statusCode(200);
    viewer().get(path(id, "rollbacks")).then().statusCode(200)
        .body("total", equalTo(3))
        .body("items.reason", equalTo(List.of("third", "second", "first")))
        .body("items.checkpoint_id", equalTo(List.of(c1, c2, c1)))
        .body("items[0].actor", equalTo("operator:admin"))
        .body("items[0].task_id", equalTo(id));
    viewer().queryParam("size", 1).queryParam("page", 1).get(path(id, "rollbacks")).then()
        .body("items.reason", equalTo(List.of("second"))).body("total", equalTo(3)).body("size", equalTo(1));
  }

  @Test
  void consistency_follows_checkpoints_writes_and_rollbacks() {
    String id = withState(Map.of("n", 1));
    operator().get(path(id, "consistency")).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    operator().get(path(aTaskId(), "consistency")).then().statusCode(404);
    String c1 = checkpoint(id);
    String h1 = hashOf(id, c1);
    viewer().get(path(id, "consistency")).then().statusCode(200)
        .body("consistent", equalTo(true))
        .body("checkpoint_hash", equalTo(h1))
        .body("current_hash", equalTo(h1))
        .body("chain_intact", equalTo(true));
    // A new write: the state moved on since the latest checkpoint event.
    putState(id, Map.of("n", 2));
    String h2 = Hashing.sha256Hex("{\"n\":2}");
    operator().get(path(id, "consistency")).then()
        .body("consistent", equalTo(false))
        .body("checkpoint_hash", equalTo(h1))
        .body("current_hash", equalTo(h2))
        .body("chain_intact", equalTo(true));
    // Back to the checkpoint.
    operator().body(Map.of("reason", "undo")).post(path(id, "rollback")).then().statusCode(200);
    operator().get(path(id, "consistency")).then()
        .body("consistent", equalTo(true)).body("current_hash", equalTo(h1)).body("checkpoint_hash", equalTo(h1));
    // A newer checkpoint, then a restore of the older one: the restore came later, so it is the reference.
    putState(id, Map.of("n", 2));
    String c2 = checkpoint(id);
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(true)).body("checkpoint_hash", equalTo(h2));
    operator().body(Map.of("checkpoint_id", c1)).post(path(id, "rollback")).then().statusCode(200);
    operator().get(path(id, "consistency")).then()
        .body("consistent", equalTo(true))
        .body("checkpoint_hash", equalTo(h1))
        .body("checkpoint_id", equalTo(c1));
    putState(id, Map.of("n", 3));
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(false)).body("checkpoint_hash", equalTo(h1));
    checkpoint(id);
    operator().get(path(id, "consistency")).then().body("consistent", equalTo(true))
        .body("checkpoint_hash", equalTo(Hashing.sha256Hex("{\"n\":3}")))
        .body("checkpoint_id", not(equalTo(c2)));
  }

  @Test
  void a_tampered_checkpoint_is_refused_on_rollback_and_reported_by_consistency() {
    String id = withState(Map.of("n", 1));
    String c1 = checkpoint(id);
    putState(id, Map.of("n", 2));
    String c2 = checkpoint(id);
    putState(id, Map.of("n", 3));
    sql("UPDATE task_checkpoint SET state = jsonb_set(state, '{n}', '100') WHERE checkpoint_id = $1",
        UUID.fromString(c1));
    operator().body(Map.of("checkpoint_id", c1, "reason", "r")).post(path(id, "rollback")).then().statusCode(409)
        .contentType("application/problem+json")
        .body("code", equalTo("CHECKPOINT_INVALID"))
        .body("reason", startsWith("hash mismatch at checkpoint " + c1));
    // The newest checkpoint is fine by itself, but the history before it was changed.
    operator().body(Map.of("reason", "r")).post(path(id, "rollback")).then().statusCode(409)
        .body("reason", startsWith("hash mismatch at checkpoint " + c1));
    operator().get(path(id, "consistency")).then().statusCode(200)
        .body("chain_intact", equalTo(false))
        .body("chain_problem", startsWith("hash mismatch at checkpoint " + c1))
        .body("consistent", equalTo(false));
    // Refused rollbacks changed nothing.
    operator().get(path(id, "state")).then().body("state.n", equalTo(3));
    operator().get(path(id, "rollbacks")).then().body("total", equalTo(0));
    assertThat(c2).isNotNull();
  }

  @Test
  void a_forged_checkpoint_with_a_matching_hash_breaks_the_chain_after_it() {
    String id = withState(Map.of("n", 1));
    String c1 = checkpoint(id);
    putState(id, Map.of("n", 2));
    String c2 = checkpoint(id);
    String forgedHash = Hashing.sha256Hex("{\"n\":100}");
    sql("UPDATE task_checkpoint SET state = '{\"n\": 100}'::jsonb, hash = $2 WHERE checkpoint_id = $1",
        UUID.fromString(c1), forgedHash);
    operator().body(Map.of("checkpoint_id", c2)).post(path(id, "rollback")).then().statusCode(409)
        .body("code", equalTo("CHECKPOINT_INVALID"))
        .body("reason", startsWith("chain broken at checkpoint " + c2));
    operator().get(path(id, "consistency")).then()
        .body("chain_intact", equalTo(false))
        .body("consistent", equalTo(true))
        .body("chain_problem", startsWith("chain broken at checkpoint " + c2));
    // The chain up to the forged checkpoint is consistent with itself: that rollback is allowed.
    operator().body(Map.of("checkpoint_id", c1)).post(path(id, "rollback")).then().statusCode(200);
    operator().get(path(id, "state")).then().body("state.n", equalTo(100));
  }

  @Test
  void a_tampered_current_state_makes_the_task_inconsistent() {
    String id = withState(Map.of("n", 1));
    checkpoint(id);
    sql("UPDATE task_state SET state = '{\"n\": 2}'::jsonb WHERE task_id = $1", id);
    operator().get(path(id, "consistency")).then()
        .body("consistent", equalTo(false))
        .body("chain_intact", equalTo(true))
        .body("current_hash", equalTo(Hashing.sha256Hex("{\"n\":2}")));
  }

  @Test
  void a_rollback_to_a_state_the_schema_refuses_is_409_with_the_reason() {
    String id = withState(Map.of("step", "one"));
    String c1 = checkpoint(id);
    operator().body(Map.of("schema", Map.of("properties", Map.of("step", Map.of("type", "integer")))))
        .put(path(id, "schema")).then().statusCode(200);
    operator().body(Map.of("state", Map.of("step", 2))).put(path(id, "state")).then().statusCode(200);
    operator().body(Map.of("checkpoint_id", c1, "reason", "r")).post(path(id, "rollback")).then().statusCode(409)
        .body("code", equalTo("CHECKPOINT_INVALID"))
        .body("reason", startsWith("restored state violates schema: "))
        .body("errors[0].instance_location", equalTo("/step"));
    operator().get(path(id, "state")).then().body("state.step", equalTo(2));
    String c2 = checkpoint(id);
    operator().body(Map.of("checkpoint_id", c2)).post(path(id, "rollback")).then().statusCode(200);
  }
}
