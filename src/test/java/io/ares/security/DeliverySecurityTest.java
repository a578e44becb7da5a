package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ares.delivery.OpenChannels;
import io.ares.testing.Api.TestAgent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, findings 4 and 7: one agent cannot pin unbounded long-polls or streams on the engine (a newer one
 * replaces the oldest), and a long-poll opened with a token that is then rotated ends with 401 instead of receiving
 * the next task.
 */
@QuarkusTest
class DeliverySecurityTest {

  @Inject OpenChannels channels;

  @TestHTTPResource("/")
  URL base;

  private static CompletableFuture<Response> longPoll(TestAgent a, String token) {
    return CompletableFuture.supplyAsync(() -> io.restassured.RestAssured.given()
        .header("Authorization", "Bearer " + token).queryParam("wait_seconds", 30)
        .get("/api/v1/agents/" + a.id() + "/assignments"));
  }

  @Test
  void a_long_poll_opened_before_a_token_rotation_answers_401_and_never_gets_the_next_task() throws Exception {
    TestAgent a = anAgent().register();
    CompletableFuture<Response> old = longPoll(a, a.token());
    await().atMost(Duration.ofSeconds(10)).until(() -> channels.openFor(a.id()) == 1);
    String fresh = operator().post("/api/v1/agents/" + a.id() + "/token").then().statusCode(200)
        .extract().path("token");
    aSession().agents(a).create();
    Response r = old.get(15, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.asString()).doesNotContain("task_delegation");
    // The task waits for the agent's new token.
    assertThat(io.restassured.RestAssured.given().header("Authorization", "Bearer " + fresh)
        .queryParam("wait_seconds", 0).get("/api/v1/agents/" + a.id() + "/assignments")
        .jsonPath().getList("type")).containsExactly("task_delegation");
  }

  @Test
  void a_new_long_poll_beyond_the_limit_ends_the_oldest_with_an_empty_answer() throws Exception {
    TestAgent a = anAgent().register();
    List<CompletableFuture<Response>> polls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      polls.add(longPoll(a, a.token()));
      int open = i + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> channels.openFor(a.id()) == open);
    }
    CompletableFuture<Response> fifth = longPoll(a, a.token());
    Response oldest = polls.get(0).get(10, TimeUnit.SECONDS);
    assertThat(oldest.statusCode()).isEqualTo(200);
    assertThat(oldest.jsonPath().getList("$")).isEmpty();
    assertThat(channels.openFor(a.id())).isEqualTo(4);
    assertThat(polls.subList(1, 4)).noneMatch(CompletableFuture::isDone);
    assertThat(fifth.isDone()).isFalse();
    // The ones still open are served as usual.
    aSession().agents(a).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> polls.subList(1, 4).stream().anyMatch(CompletableFuture::isDone)
        || fifth.isDone());
    // Closing the rest: a deregistration wakes them all (401).
    as(a).delete("/api/v1/agents/" + a.id()).then().statusCode(204);
    for (CompletableFuture<Response> p : List.of(polls.get(1), polls.get(2), polls.get(3), fifth)) {
      assertThat(p.get(15, TimeUnit.SECONDS).statusCode()).isIn(200, 401);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> channels.openFor(a.id()) == 0);
  }

  @Test
  void a_new_stream_beyond_the_limit_closes_the_oldest_with_1008() throws Exception {
    TestAgent a = anAgent().register();
    List<CompletableFuture<Integer>> closes = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      closes.add(closed);
      sockets.add(HttpClient.newHttpClient().newWebSocketBuilder()
          .header("Authorization", "Bearer " + a.token())
          .buildAsync(URI.create(base.toString().replaceFirst("^http", "ws") + "api/v1/agents/" + a.id() + "/stream"),
              new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                  closed.complete(statusCode);
                  return null;
                }
              }).get(10, TimeUnit.SECONDS));
      int open = Math.min(i + 1, 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> channels.openFor(a.id()) == open);
    }
    assertThat(closes.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(closes.subList(1, 5)).noneMatch(CompletableFuture::isDone);
    for (WebSocket ws : sockets.subList(1, 5)) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> channels.openFor(a.id()) == 0);
  }
}
