package io.ares.delivery;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a long-poll learns of new work: this instance's creations wake its own waiters directly and mark their NOTIFY,
 * which the other instances act on and this one skips; a poll claims only when something can be due.
 */
@QuarkusTest
class WakeupTest {

  @Inject Pool pool;
  @Inject WakeupHub hub;
  @Inject DeliveryService delivery;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;
  @Inject io.ares.testing.SettableClock clock;

  @Test
  void a_notification_from_another_instance_wakes_a_waiting_long_poll() throws Exception {
    TestAgent a = anAgent().register();
    CompletableFuture<Response> waiting = longPoll(a, 20);
    UUID assignment = queueCancellation(a.id());
    notify("@another-instance," + a.id());
    Response r = waiting.get(10, TimeUnit.SECONDS);
    List<Map<String, Object>> msgs = r.jsonPath().getList("$");
    assertThat(msgs).singleElement().satisfies(m -> assertThat(m)
        .containsEntry("type", AgentMessage.CANCELLATION).containsEntry("assignment_id", assignment.toString()));
  }

  @Test
  void this_instance_skips_its_own_wake_up_when_the_notification_comes_back() throws Exception {
    TestAgent a = anAgent().register();
    CompletableFuture<Response> waiting = longPoll(a, 4);
    queueCancellation(a.id());
    long notified = System.nanoTime();
    notify(hub.origin() + "," + a.id());
    // Not woken by its own wake-up (this instance delivers those to its waiters before it sends the NOTIFY): the
    // poll answers when its wait ends.
    Response r = waiting.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - notified) / 1_000_000).as("ms from the notification to the answer")
        .isGreaterThan(2000);
  }

  @Test
  void a_poll_after_an_answer_claims_again_only_after_a_wake_up() {
    TestAgent a = anAgent().register();
    assertThat(poll(a)).isEmpty();
    double skipped = registry.counter(DeliveryService.CLAIMS_SKIPPED).count();
    // Nothing was queued for the agent since its last claim found nothing: no claim when the poll starts, and none
    // when its wait ends with nothing new.
    assertThat(poll(a, 1)).isEmpty();
    assertThat(registry.counter(DeliveryService.CLAIMS_SKIPPED).count()).isEqualTo(skipped + 2);
    // A message comes with its wake-up (here another instance's): the next poll claims it.
    UUID assignment = queueCancellation(a.id());
    long generation = hub.generation(a.id());
    notify("@another-instance," + a.id());
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.generation(a.id()) > generation);
    assertThat(poll(a)).singleElement().satisfies(m -> assertThat(m).containsEntry("assignment_id", assignment.toString()));
    assertThat(registry.counter(DeliveryService.CLAIMS_SKIPPED).count()).isEqualTo(skipped + 2);
  }

  @Test
  void what_a_claim_found_is_trusted_for_a_minute_only() {
    TestAgent a = anAgent().register();
    assertThat(poll(a)).isEmpty();
    // A message whose wake-up was lost (a NOTIFY that failed after its commit, on another instance).
    UUID assignment = queueCancellation(a.id());
    assertThat(poll(a)).isEmpty();
    // Trusted until a random point of the minute's last quarter (spread so that a fleet does not claim in one go).
    clock.advance(DeliveryService.TRUSTED_FOR.minus(DeliveryService.TRUSTED_SPREAD).minusSeconds(1));
    assertThat(poll(a)).isEmpty();
    clock.advance(DeliveryService.TRUSTED_SPREAD.plusSeconds(1));
    assertThat(poll(a)).singleElement().satisfies(m -> assertThat(m).containsEntry("assignment_id", assignment.toString()));
  }

  @org.junit.jupiter.api.AfterEach
  void resetClock() {
    clock.reset();
  }

  private static List<Map<String, Object>> poll(TestAgent a) {
    return poll(a, 0);
  }

  private static List<Map<String, Object>> poll(TestAgent a, int waitSeconds) {
    Response r = as(a).queryParam("wait_seconds", waitSeconds).get("/api/v1/agents/" + a.id() + "/assignments");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.jsonPath().getList("$");
  }

  private CompletableFuture<Response> longPoll(TestAgent a, int waitSeconds) {
    CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() ->
        as(a).queryParam("wait_seconds", waitSeconds).get("/api/v1/agents/" + a.id() + "/assignments"));
    // The poll has found nothing and is waiting.
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
    return waiting;
  }

  /** An informational message for the agent, due long ago, written without any wake-up. */
  private UUID queueCancellation(String agentId) {
    UUID assignment = UUID.randomUUID();
    pool.preparedQuery("INSERT INTO agent_message (agent_id, assignment_id, session_id, type, payload, open, due_at, "
            + "deliveries, created_at) VALUES ($1, $2, $3, $4, jsonb_build_object('assignment_id', $2::text, "
            + "'reason', 'test'), true, '2000-01-01T00:00:00Z', 0, '2000-01-01T00:00:00Z')")
        .execute(Tuple.of(agentId, assignment, UUID.randomUUID(), AgentMessage.CANCELLATION))
        .await().atMost(Duration.ofSeconds(10));
    return assignment;
  }

  private void notify(String payload) {
    pool.preparedQuery("SELECT pg_notify('" + Outbox.CHANNEL + "', $1)").execute(Tuple.of(payload))
        .await().atMost(Duration.ofSeconds(10));
  }
}
