package io.ares.platform;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A battery of bad bodies against every endpoint that takes one: always a 4xx problem, never a change. */
@QuarkusTest
class BadInputTest {

  @Inject Pool pool;

  static final List<String> BAD_BODIES = List.of(
      "{not json",
      "[]",
      "\"a string\"",
      "42",
      "null",
      "{\"agent_id\": 5}",
      "{\"agent_id\": \"x\", \"heartbeat_interval_seconds\": \"10\"}",
      "{\"agent_id\": \"x\", \"heartbeat_interval_seconds\": 10.5}",
      "{\"agent_id\": \"x\", \"max_concurrent_tasks\": true}",
      "{\"agent_id\": \"x\", \"capabilities\": \"a\"}",
      "{\"agent_id\": \"x\", \"capabilities\": [1, 2]}",
      "{\"agent_id\": \"x\", \"metadata\": [1]}",
      "{\"agent_id\": \"x\", \"heartbeat_interval_seconds\": null, \"max_concurrent_tasks\": 0}",
      "{\"agent_id\": \"UPPER\"}",
      "{\"reason\": 5}",
      "{\"reason\": [\"x\"]}",
      "{\"agent_id\": \"x\"} trailing",
      "{\"agent_id\": \"x\", \"heartbeat_interval_seconds\": 99999999999999999999}",
      "[".repeat(5000) + "]".repeat(5000));

  private String snapshot() {
    var rows = pool.query(
            "SELECT (SELECT count(*) FROM agent) || '/' || (SELECT coalesce(sum(version), 0) FROM agent) || '/' "
                + "|| (SELECT count(*) FROM agent_status_event) AS s")
        .execute().await().indefinitely();
    return rows.iterator().next().getString("s");
  }

  @Test
  void bad_bodies_get_a_problem_and_change_nothing() {
    TestAgent a = anAgent().register();
    List<String[]> endpoints = new ArrayList<>();
    endpoints.add(new String[] {"anon", "/api/v1/agents"});
    endpoints.add(new String[] {"op", "/api/v1/agents/" + a.id() + "/quarantine"});
    endpoints.add(new String[] {"op", "/api/v1/agents/" + a.id() + "/release"});
    String before = snapshot();
    for (String[] ep : endpoints) {
      for (String body : BAD_BODIES) {
        var spec = ep[0].equals("op") ? operator() : anonymous();
        Response r = spec.body(body).post(ep[1]);
        assertThat(r.statusCode()).as(ep[1] + " <- " + body.substring(0, Math.min(60, body.length())))
            .isBetween(400, 499);
        assertThat(r.contentType()).as(ep[1] + " <- " + body).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isNotBlank();
        if (r.statusCode() == 400) {
          // Every 400 says what was wrong in its own words: an errors list, no Java class names, not just the
          // status's reason phrase.
          assertThat(r.jsonPath().getList("errors")).as(ep[1] + " <- " + body).isNotEmpty();
          assertThat(r.jsonPath().getString("detail")).as(ep[1] + " <- " + body)
              .doesNotContain("java.").doesNotContain("`").isNotEqualTo("Bad Request");
        }
      }
    }
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void a_body_over_the_limit_is_413() {
    String big = "{\"agent_id\": \"big\", \"name\": \"" + "x".repeat(1024 * 1024 + 10) + "\"}";
    anonymous().body(big).post("/api/v1/agents").then().statusCode(413)
        .contentType("application/problem+json").body("code", equalTo("PAYLOAD_TOO_LARGE"));
    operator().get("/api/v1/agents/big").then().statusCode(404);
  }

  @Test
  void unknown_paths_and_methods_are_problems() {
    operator().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json")
        .body("code", equalTo("NOT_FOUND"));
    operator().put("/api/v1/agents").then().statusCode(405).contentType("application/problem+json");
  }

  @Test
  void wrong_content_type_is_415() {
    anonymous().contentType("text/plain").body("agent_id=x").post("/api/v1/agents").then().statusCode(415)
        .contentType("application/problem+json");
  }

  @Test
  void unknown_fields_are_ignored() {
    var body = new java.util.HashMap<>(anAgent().body());
    body.put("favourite_colour", "blue");
    anonymous().body(body).post("/api/v1/agents").then().statusCode(201);
  }

  @Test
  void a_wrongly_typed_field_is_named_in_the_problem() {
    anonymous().body("{\"agent_id\": \"typed\", \"heartbeat_interval_seconds\": \"10\"}").post("/api/v1/agents")
        .then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    as(new TestAgent("x", "y")).get("/api/v1/agents/typed").then().statusCode(401);
  }
}
