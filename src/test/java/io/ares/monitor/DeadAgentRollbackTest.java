package io.ares.monitor;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.takeDelegation;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.ares.testing.Sessions;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's "done when": an agent dies mid-session; with no operator the session ends ROLLED_BACK, the validated
 * participants received compensation orders in reverse order of validation, and their task state is back at its
 * checkpoint (the state before the work), recorded as a rollback naming the session.
 */
@QuarkusTest
class DeadAgentRollbackTest {

  @Inject SettableClock clock;
  @Inject Monitor monitor;
  @Inject io.ares.agent.HeartbeatWriter heartbeatWriter;

  @BeforeEach
  void freeze() {
    clock.set(Instant.now());
    Sessions.now = clock::instant;
  }

  @AfterEach
  void reset() {
    clock.reset();
    Sessions.now = Instant::now;
  }

  private String doWork(TestAgent a, int value) {
    Map<String, Object> m = takeDelegation(a);
    String task = (String) m.get("task_id");
    as(a).body(Map.of("state", Map.of("progress", 0, "owner", a.id()))).put("/api/v1/tasks/" + task + "/state")
        .then().statusCode(200);
    as(a).post("/api/v1/tasks/" + task + "/checkpoints").then().statusCode(201);
    as(a).body(Map.of("state", Map.of("progress", value, "owner", a.id()))).put("/api/v1/tasks/" + task + "/state")
        .then().statusCode(200);
    as(a).body(evidence(task, "work of " + a.id(), Map.of()))
        .post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence").then().statusCode(200);
    return task;
  }

  @Test
  void a_dead_participant_rolls_the_session_back_and_restores_the_checkpoints() throws Exception {
    TestAgent first = anAgent().heartbeatInterval(3600).register();
    TestAgent second = anAgent().heartbeatInterval(3600).register();
    TestAgent doomed = anAgent().heartbeatInterval(2).register();
    String id = aSession().agents(first, second, doomed).create().getString("session_id");
    String task1 = doWork(first, 100);
    clock.advance(Duration.ofSeconds(1));
    String task2 = doWork(second, 200);
    takeDelegation(doomed); // it takes the task, then its process dies: no more heartbeats
    // Its poll's last sign of life may still be written a moment later (coalesced signs end with a trailing write,
    // stamped when it runs): let it land before the clock jumps, as it would long before a real lease expires.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> !heartbeatWriter.trailingWritePending(doomed.id()));

    clock.advance(Duration.ofSeconds(7)); // lease 2 s x 3 expires
    monitor.sweepNow().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(operator().get("/api/v1/agents/" + doomed.id()).then().extract().<String>path("status"))
        .isEqualTo("UNRESPONSIVE");
    assertThat(operator().get("/api/v1/sessions/" + id).then().extract().<String>path("state"))
        .isEqualTo("COMPENSATING");

    // Reverse order of validation: the second participant first; the first only after it confirmed.
    assertThat(poll(first)).isEmpty();
    List<Map<String, Object>> forSecond = poll(second);
    assertThat(forSecond).extracting(m -> m.get("type")).containsExactly("compensation");
    as(second).body(Map.of("ok", true)).post("/api/v1/assignments/" + forSecond.get(0).get("assignment_id")
        + "/compensated").then().statusCode(200);
    List<Map<String, Object>> forFirst = poll(first);
    assertThat(forFirst).extracting(m -> m.get("type")).containsExactly("compensation");
    as(first).body(Map.of("ok", true)).post("/api/v1/assignments/" + forFirst.get(0).get("assignment_id")
        + "/compensated").then().statusCode(200);

    assertThat(operator().get("/api/v1/sessions/" + id).then().extract().<String>path("state"))
        .isEqualTo("ROLLED_BACK");
    for (String task : List.of(task1, task2)) {
      operator().get("/api/v1/tasks/" + task + "/state").then().statusCode(200)
          .body("state.progress", org.hamcrest.Matchers.equalTo(0));
      operator().get("/api/v1/tasks/" + task + "/rollbacks").then().statusCode(200)
          .body("items[0].reason", org.hamcrest.Matchers.containsString(id));
      operator().get("/api/v1/tasks/" + task + "/consistency").then().body("consistent", org.hamcrest.Matchers.equalTo(true));
    }
    operator().get("/api/v1/agents/" + doomed.id() + "/incidents").then()
        .body("items.code", org.hamcrest.Matchers.contains("AGENT_UNRESPONSIVE"));
  }
}
