package io.ares.agent;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.monitor.Monitor;
import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 26: an operator's or agent's action right after the engine's own background write of the same rows (the
 * verdict's capacity release and reliability outcome, a heartbeat's revival) never answers 409: the race is retried
 * inside the server. A 409 is kept for requests that really conflict with the state.
 */
@QuarkusTest
class OperatorRaceTest {

  private static final int ROUNDS = 8;

  @Inject SettableClock clock;
  @Inject Monitor monitor;

  @AfterEach
  void reset() {
    clock.reset();
    io.ares.testing.Sessions.now = java.time.Instant::now;
  }

  /** Every status seen, so that a failure shows all of them, not only the first. */
  private final List<String> answers = new ArrayList<>();

  private void expect(Response r, int status, String what) {
    answers.add(what + " " + r.statusCode());
    assertThat(r.statusCode()).as(what + ": " + r.asString() + " (all: " + answers + ")").isEqualTo(status);
  }

  @Test
  void agent_actions_right_after_a_verdict_are_never_a_conflict() {
    TestAgent a = anAgent().register();
    for (int i = 0; i < ROUNDS; i++) {
      aSession().agents(a).create();
      work(a, Map.of());
      String path = "/api/v1/agents/" + a.id();
      switch (i % 4) {
        case 0 -> {
          Response r = operator().post(path + "/token");
          expect(r, 200, "rotate");
          a = new TestAgent(a.id(), r.path("token"));
        }
        case 1 -> {
          expect(operator().body(Map.of("reason", "check")).post(path + "/quarantine"), 200, "quarantine");
          expect(operator().body(Map.of("reason", "fine")).post(path + "/release"), 200, "release");
        }
        case 2 -> expect(operator().body(Map.of("coordinator", i % 8 == 2)).put(path + "/grants"), 200, "grants");
        default -> expect(as(a).post(path + "/heartbeat"), 200, "heartbeat");
      }
    }
    aSession().agents(a).create();
    work(a, Map.of());
    expect(operator().delete("/api/v1/agents/" + a.id()), 204, "deregister");
  }

  @Test
  void cancelling_right_after_a_participants_verdict_is_never_a_conflict() {
    for (int i = 0; i < ROUNDS / 2; i++) {
      TestAgent a = anAgent().register();
      TestAgent b = anAgent().register();
      String id = aSession().agents(a, b).create().getString("session_id");
      takeDelegation(b);
      work(a, Map.of());
      expect(operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + id + "/cancel"), 200, "cancel");
    }
  }

  @Test
  void an_operator_action_right_after_a_heartbeat_revival_is_never_a_conflict() throws Exception {
    clock.set(java.time.Instant.now());
    io.ares.testing.Sessions.now = clock::instant;
    for (int i = 0; i < ROUNDS / 2; i++) {
      TestAgent a = anAgent().heartbeatInterval(1).register();
      clock.advance(Duration.ofSeconds(5));
      monitor.sweepNow().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(operator().get("/api/v1/agents/" + a.id()).<String>path("status")).isEqualTo("UNRESPONSIVE");
      expect(as(a).post("/api/v1/agents/" + a.id() + "/heartbeat"), 200, "revival");
      expect(operator().body(Map.of("reason", "check")).post("/api/v1/agents/" + a.id() + "/quarantine"), 200,
          "quarantine");
      expect(operator().post("/api/v1/agents/" + a.id() + "/token"), 200, "rotate");
    }
  }
}
