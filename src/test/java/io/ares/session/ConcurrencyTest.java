package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.takeDelegation;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Real concurrency against the HTTP API: races are settled by locking, never silently overwritten. */
@QuarkusTest
class ConcurrencyTest {

  @Inject Pool pool;

  /** Runs the calls at the same moment, one thread each; their responses in the calls' order. */
  @SafeVarargs
  private static List<Response> race(Callable<Response>... calls) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(calls.length);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Response>> futures = new java.util.ArrayList<>();
      for (Callable<Response> call : calls) {
        futures.add(ex.submit(() -> {
          go.await();
          return call.call();
        }));
      }
      go.countDown();
      List<Response> responses = new java.util.ArrayList<>();
      for (Future<Response> f : futures) {
        responses.add(f.get());
      }
      return responses;
    } finally {
      ex.shutdownNow();
    }
  }

  private long events(String assignmentId, String to) {
    return pool.preparedQuery("SELECT count(*) AS n FROM session_event WHERE entity_id = $1 AND to_state = $2")
        .execute(Tuple.of(UUID.fromString(assignmentId), to)).await().indefinitely().iterator().next().getLong("n");
  }

  @Test
  void concurrent_creations_with_one_idempotency_key_yield_one_session_even_when_the_twin_takes_the_last_slot()
      throws Exception {
    for (int round = 0; round < 5; round++) {
      TestAgent a = anAgent().maxTasks(1).register();
      Map<String, Object> body = aSession().agents(a).body();
      String key = "twin-" + UUID.randomUUID();
      List<Response> rs = race(
          () -> operator().header("Idempotency-Key", key).body(body).post("/api/v1/sessions"),
          () -> operator().header("Idempotency-Key", key).body(body).post("/api/v1/sessions"));
      assertThat(rs.stream().map(Response::statusCode).sorted().toList()).as("round " + round).containsExactly(200, 201);
      assertThat(rs.get(0).jsonPath().getString("session_id")).isEqualTo(rs.get(1).jsonPath().getString("session_id"));
      long sessions = pool.preparedQuery("SELECT count(*) AS n FROM coordination_session WHERE idempotency_key = $1")
          .execute(Tuple.of(key)).await().indefinitely().iterator().next().getLong("n");
      assertThat(sessions).isEqualTo(1);
    }
  }

  @Test
  void two_concurrent_identical_submissions_yield_exactly_one_verdict() throws Exception {
    for (int round = 0; round < 5; round++) {
      TestAgent a = anAgent().register();
      TestAgent b = anAgent().register();
      aSession().agents(a, b).create();
      Map<String, Object> m = takeDelegation(a);
      String id = (String) m.get("assignment_id");
      Map<String, Object> ev = evidence((String) m.get("task_id"), "out", Map.of());
      List<Response> rs = race(
          () -> as(a).body(ev).post("/api/v1/assignments/" + id + "/evidence"),
          () -> as(a).body(ev).post("/api/v1/assignments/" + id + "/evidence"));
      for (Response r : rs) {
        assertThat(r.statusCode()).isIn(200, 409);
      }
      List<Response> ok = rs.stream().filter(r -> r.statusCode() == 200).toList();
      assertThat(ok).isNotEmpty();
      if (ok.size() == 2) {
        assertThat(ok.get(0).jsonPath().getString("timestamp")).isEqualTo(ok.get(1).jsonPath().getString("timestamp"));
      }
      assertThat(events(id, "SUBMITTED")).isEqualTo(1);
      assertThat(events(id, "VALIDATED")).isEqualTo(1);
    }
  }

  @Test
  void two_valid_evidences_racing_for_the_last_place_one_wins_and_the_loser_is_cancelled() throws Exception {
    for (int round = 0; round < 5; round++) {
      TestAgent a = anAgent().register();
      TestAgent b = anAgent().register();
      String session = aSession().agents(a, b).quorum(1).create().getString("session_id");
      Map<String, Object> ma = takeDelegation(a);
      Map<String, Object> mb = takeDelegation(b);
      List<Response> rs = race(
          () -> as(a).body(evidence((String) ma.get("task_id"), "a", Map.of()))
              .post("/api/v1/assignments/" + ma.get("assignment_id") + "/evidence"),
          () -> as(b).body(evidence((String) mb.get("task_id"), "b", Map.of()))
              .post("/api/v1/assignments/" + mb.get("assignment_id") + "/evidence"));
      assertThat(rs).extracting(Response::statusCode).containsExactlyInAnyOrder(200, 409);
      var s = operator().get("/api/v1/sessions/" + session).then().extract().jsonPath();
      assertThat(s.getString("state")).isEqualTo("COMPLETED");
      assertThat(s.getList("assignments.state", String.class)).containsExactlyInAnyOrder("VALIDATED", "CANCELLED");
    }
  }

  /**
   * Every participant of a quorum = n session submits valid evidence at once (the direct evidence path): whichever
   * verdict is judged last must see the others VALIDATED and complete the session — with exactly n VALIDATED.
   */
  @Test
  void all_valid_evidences_at_once_complete_the_session() throws Exception {
    for (int n = 2; n <= 3; n++) {
      for (int round = 0; round < 8; round++) {
        List<TestAgent> agents = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          agents.add(anAgent().register());
        }
        String session = aSession().agents(agents.toArray(TestAgent[]::new)).create().getString("session_id");
        List<Callable<Response>> calls = new java.util.ArrayList<>();
        for (TestAgent a : agents) {
          Map<String, Object> m = takeDelegation(a);
          as(a).post("/api/v1/assignments/" + m.get("assignment_id") + "/ack").then().statusCode(200);
          calls.add(() -> as(a).body(evidence((String) m.get("task_id"), "out " + a.id(), Map.of()))
              .post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence"));
        }
        @SuppressWarnings("unchecked")
        List<Response> rs = race(calls.toArray(Callable[]::new));
        assertThat(rs).extracting(Response::statusCode).containsOnly(200);
        var s = operator().get("/api/v1/sessions/" + session).then().extract().jsonPath();
        assertThat(s.getString("state")).as("%d of %d, round %d", n, n, round).isEqualTo("COMPLETED");
        assertThat(s.getList("assignments.state", String.class)).hasSize(n).containsOnly("VALIDATED");
      }
    }
  }

  @Test
  void concurrent_capability_sessions_share_the_fleet_without_double_booking() throws Exception {
    String cap = io.ares.testing.Api.uniqueId("race-cap");
    for (int i = 0; i < 4; i++) {
      anAgent().capabilities(cap).maxTasks(1).register();
    }
    var body = aSession().capability(cap, 2).body();
    List<Response> rs = race(
        () -> operator().body(body).post("/api/v1/sessions"),
        () -> operator().body(body).post("/api/v1/sessions"));
    assertThat(rs).extracting(Response::statusCode).containsExactly(201, 201);
    List<String> agents = new java.util.ArrayList<>();
    rs.forEach(r -> agents.addAll(r.jsonPath().getList("assignments.agent_id", String.class)));
    assertThat(agents).hasSize(4).doesNotHaveDuplicates();
    operator().body(body).post("/api/v1/sessions").then().statusCode(422);
  }
}
