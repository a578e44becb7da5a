package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.HeldRecord;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** With {@code ares.reliability.verdict-awaits-record=true} a valid verdict is answered once its outcome is recorded. */
@QuarkusTest
@TestProfile(VerdictAwaitsRecordTest.Awaiting.class)
class VerdictAwaitsRecordTest {

  public static class Awaiting implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ares.reliability.verdict-awaits-record", "true");
    }
  }

  @Inject Pool pool;

  private long results(TestAgent a) {
    return pool.preparedQuery("SELECT count(*) AS n FROM reliability_result WHERE agent_id = $1")
        .execute(Tuple.of(a.id())).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong("n");
  }

  @Test
  void the_answer_waits_until_the_outcome_is_in_the_record() throws Exception {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    aSession().agents(a, b).create();
    CompletableFuture<JsonPath> answer;
    try (HeldRecord held = HeldRecord.of(pool, a.id())) {
      answer = CompletableFuture.supplyAsync(() -> work(a, Map.of()));
      // The verdict commits, then the projector's batch waits for the agent's reliability lock ...
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::aBatchWaits);
      // ... and so does the answer.
      assertThatThrownBy(() -> answer.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
      assertThat(results(a)).isZero();
    }
    JsonPath v = answer.get(10, TimeUnit.SECONDS);
    assertThat(v.getBoolean("overall_success")).isTrue();
    assertThat(results(a)).isEqualTo(1);
  }

  private boolean aBatchWaits() {
    return pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").execute()
        .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong("n") > 0;
  }
}
