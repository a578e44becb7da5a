package io.ares.delivery;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.takeDelegation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DeliveryTest {

  @Inject SettableClock clock;
  @Inject DeliveryService delivery;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  @TestHTTPResource("/")
  URI base;

  @AfterEach
  void reset() {
    clock.reset();
  }

  @Test
  void a_waiting_long_poll_is_woken_by_a_new_delegation() throws Exception {
    TestAgent a = anAgent().register();
    CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() ->
        as(a).queryParam("wait_seconds", 20).get("/api/v1/agents/" + a.id() + "/assignments"));
    Thread.onSpinWait();
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
    long created = System.nanoTime();
    aSession().agents(a).create();
    Response r = waiting.get(10, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - created) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(200);
    List<Map<String, Object>> msgs = r.jsonPath().getList("$");
    assertThat(msgs).hasSize(1);
    assertThat(msgs.get(0)).containsEntry("type", "task_delegation").containsKeys("task", "deadline", "task_id");
    assertThat(tookMs).as("woken long before the 20 s wait ended").isLessThan(5000);
  }

  @Test
  void claims_that_arrive_together_share_one_statement_and_each_agent_gets_its_own_work() {
    int n = 12;
    List<TestAgent> agents = new java.util.ArrayList<>();
    Map<String, String> sessionOf = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      TestAgent a = anAgent().register();
      agents.add(a);
      sessionOf.put(a.id(), aSession().agents(a).create().getString("session_id"));
    }
    io.micrometer.core.instrument.DistributionSummary perClaim =
        registry.summary(io.ares.platform.GroupCommit.SIZE_METRIC, "writer", "claim");
    long statements = perClaim.count();
    // All submitted before the first statement is answered: the first runs at once, the rest share the next one.
    List<io.smallrye.mutiny.Uni<DeliveryService.Claim>> claims = new java.util.ArrayList<>();
    for (TestAgent a : agents) {
      claims.add(delivery.claim(a.id()));
    }
    TestAgent twice = agents.get(n - 1);
    claims.add(delivery.claim(twice.id()));
    List<DeliveryService.Claim> got = claims.stream()
        .map(u -> u.await().atMost(Duration.ofSeconds(10))).toList();
    for (int i = 0; i < n; i++) {
      TestAgent a = agents.get(i);
      assertThat(got.get(i).messages()).as("agent %s", a.id()).singleElement().satisfies(m -> {
        assertThat(m.type()).isEqualTo(AgentMessage.DELEGATION);
        assertThat(m.sessionId()).isEqualTo(sessionOf.get(a.id()));
        assertThat(m.delivery()).isEqualTo(1);
      });
      assertThat(got.get(i).nextDueAt()).as("the delegation's redelivery").isNotNull();
      io.ares.testing.Api.operator().get("/api/v1/sessions/" + sessionOf.get(a.id())).then().statusCode(200)
          .body("state", org.hamcrest.Matchers.equalTo("IN_PROGRESS"))
          .body("assignments[0].state", org.hamcrest.Matchers.equalTo("DELEGATED"));
    }
    assertThat(got.get(n).messages()).as("the same agent's second claim finds what a claim right after finds")
        .isEmpty();
    assertThat(got.get(n).nextDueAt()).isEqualTo(got.get(n - 1).nextDueAt());
    assertThat(perClaim.count() - statements).as("statements for %d claims", n + 1).isLessThan(n);
    assertThat(perClaim.max()).as("claims served by one statement").isGreaterThan(1);
  }

  @Test
  void an_empty_long_poll_answers_an_empty_list_after_the_wait() {
    TestAgent a = anAgent().register();
    as(a).queryParam("wait_seconds", 1).get("/api/v1/agents/" + a.id() + "/assignments").then().statusCode(200)
        .body("size()", org.hamcrest.Matchers.equalTo(0));
    as(a).queryParam("wait_seconds", 61).get("/api/v1/agents/" + a.id() + "/assignments").then().statusCode(400);
    as(a).queryParam("wait_seconds", "soon").get("/api/v1/agents/" + a.id() + "/assignments").then().statusCode(400);
    TestAgent b = anAgent().register();
    as(b).queryParam("wait_seconds", 0).get("/api/v1/agents/" + a.id() + "/assignments").then().statusCode(403);
  }

  @Test
  void an_unacknowledged_delegation_is_redelivered_after_the_redelivery_delay_only() {
    TestAgent a = anAgent().heartbeatInterval(3600).register();
    clock.set(java.time.Instant.now());
    aSession().agents(a).create();
    Map<String, Object> first = takeDelegation(a);
    assertThat(poll(a)).as("no flood of repeats").isEmpty();
    clock.advance(Duration.ofSeconds(11));
    List<Map<String, Object>> again = poll(a);
    assertThat(again).hasSize(1);
    assertThat(again.get(0).get("assignment_id")).isEqualTo(first.get("assignment_id"));
    assertThat(again.get(0).get("delivery")).isEqualTo(2);
    as(a).post("/api/v1/assignments/" + first.get("assignment_id") + "/ack").then().statusCode(200);
    clock.advance(Duration.ofSeconds(11));
    assertThat(poll(a)).as("acked: no more redelivery").isEmpty();
  }

  @Test
  void the_heartbeat_reports_the_number_of_waiting_messages() {
    TestAgent a = anAgent().register();
    aSession().agents(a).create();
    aSession().agents(a).create();
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200)
        .body("pending_assignments", org.hamcrest.Matchers.equalTo(2));
  }

  @Test
  void the_stream_pushes_messages_to_the_authenticated_agent() throws Exception {
    TestAgent a = anAgent().register();
    List<String> frames = new CopyOnWriteArrayList<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + a.token())
        .buildAsync(wsUri(a.id()), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frames.add(data.toString());
            webSocket.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    aSession().agents(a).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> !frames.isEmpty());
    assertThat(frames.get(0)).contains("\"type\":\"task_delegation\"").contains("\"task_id\"");
    ws.sendText("{\"ping\":true}", true).get(5, TimeUnit.SECONDS);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }

  @Test
  void rotating_the_token_closes_a_stream_opened_with_the_old_one() throws Exception {
    TestAgent a = anAgent().register();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + a.token())
        .buildAsync(wsUri(a.id()), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !closed.isDone());
    String fresh = io.ares.testing.Api.operator()
        .post("/api/v1/agents/" + a.id() + "/token").then().statusCode(200).extract().path("token");
    assertThat(closed.get(10, TimeUnit.SECONDS)).as("closed for a policy violation").isEqualTo(1008);
    assertThat(ws.isInputClosed()).isTrue();
    assertThat(upgradeStatus(a.id(), "Bearer " + a.token())).isEqualTo(401);
    assertThat(upgradeStatus(a.id(), "Bearer " + fresh)).isEqualTo(101);
  }

  @Test
  void the_stream_refuses_missing_and_foreign_tokens() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    assertThat(upgradeStatus(a.id(), null)).isEqualTo(401);
    assertThat(upgradeStatus(a.id(), "Bearer nope")).isEqualTo(401);
    assertThat(upgradeStatus(a.id(), "Bearer " + b.token())).isEqualTo(403);
  }

  private URI wsUri(String id) {
    return URI.create(base.toString().replaceFirst("^http", "ws") + "api/v1/agents/" + id + "/stream");
  }

  private int upgradeStatus(String id, String auth) {
    var builder = HttpClient.newHttpClient().newWebSocketBuilder();
    if (auth != null) {
      builder.header("Authorization", auth);
    }
    try {
      builder.buildAsync(wsUri(id), new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS);
      return 101;
    } catch (Exception e) {
      Throwable c = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException ? e.getCause() : e;
      if (c instanceof java.net.http.WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw new AssertionError(e);
    }
  }
}
