package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by attacking the packaged app: one agent wrote 850 KB states of made-up tasks without limit (20 in 7.5 s).
 * State writes spend a per-agent byte budget (ares.limits.state-bytes-per-minute), here 2 MiB to keep the test short.
 */
@QuarkusTest
@TestProfile(StateBudgetTest.SmallBudget.class)
class StateBudgetTest {

  public static class SmallBudget implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ares.limits.state-bytes-per-minute", "2M", "quarkus.flyway.clean-at-start", "false");
    }
  }

  @Inject SettableClock clock;

  @AfterEach
  void reset() {
    clock.reset();
  }

  @Test
  void many_large_states_of_made_up_tasks_are_refused_past_the_budget_and_nothing_of_them_is_stored() {
    clock.set(java.time.Instant.now()); // no refill while the test runs
    TestAgent a = anAgent().register();
    String big = "x".repeat(300 * 1024);
    int stored = 0;
    Response refused = null;
    for (int i = 0; i < 10 && refused == null; i++) {
      Response r = as(a).body(Map.of("state", Map.of("blob", big))).put("/api/v1/tasks/junk-" + a.id() + "-" + i + "/state");
      if (r.statusCode() == 200) {
        stored++;
      } else {
        refused = r;
      }
    }
    assertThat(stored).isEqualTo(6); // 2 MiB / 300 KiB
    assertThat(refused).isNotNull();
    assertThat(refused.statusCode()).isEqualTo(429);
    long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
    operator().get("/api/v1/tasks/junk-" + a.id() + "-" + stored + "/state").then().statusCode(404);
    // An operator is not limited; the agent writes again once Retry-After has passed.
    operator().body(Map.of("state", Map.of("blob", big))).put("/api/v1/tasks/junk-" + a.id() + "-op/state").then()
        .statusCode(200);
    clock.advance(Duration.ofSeconds(retryAfter));
    as(a).body(Map.of("state", Map.of("blob", big))).put("/api/v1/tasks/junk-" + a.id() + "-" + stored + "/state")
        .then().statusCode(200);
  }
}
