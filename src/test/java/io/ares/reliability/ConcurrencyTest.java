package io.ares.reliability;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Outcomes.validated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.Outcomes;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outcomes of one agent from concurrent transactions, and the caller holding the managed agent. */
@QuarkusTest
class ConcurrencyTest {

  @Inject SettableClock clock;
  @Inject Pool pool;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private Row agentRow(String id) {
    return pool.preparedQuery("SELECT reliability_score, lease_expires_at, last_heartbeat_at, version FROM agent WHERE agent_id = $1")
        .execute(Tuple.of(id)).await().indefinitely().iterator().next();
  }

  @Test
  void concurrent_outcomes_of_one_agent_are_serialised_and_none_is_lost() throws Exception {
    TestAgent a = anAgent().register();
    ExecutorService pool16 = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        all.add(pool16.submit(() -> Outcomes.record(a.id(), validated(1000))));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool16.shutdown();
    }
    // (3 + 24) / (4 + 24): every one of them counted once.
    assertThat(agentRow(a.id()).getDouble("reliability_score")).isCloseTo(27.0 / 28.0, within(1e-9));
    long points = pool.preparedQuery("SELECT count(*) FROM reliability_score_point WHERE agent_id = $1")
        .execute(Tuple.of(a.id())).await().indefinitely().iterator().next().getLong(0);
    assertThat(points).isEqualTo(24);
  }

  @Test
  void a_caller_holding_the_managed_agent_can_record_outcomes() {
    TestAgent a = anAgent().register();
    Outcomes.recordAfterLoadingTheAgent(a.id(), false, validated(1000), Outcomes.rejected());
    assertThat(agentRow(a.id()).getDouble("reliability_score")).isCloseTo(4.0 / 6.0, within(1e-9));
  }

  @Test
  void recording_an_outcome_never_puts_back_a_lease_a_heartbeat_renewed_meanwhile() {
    Instant t0 = Instant.parse("2036-06-06T06:00:00Z");
    clock.set(t0);
    TestAgent a = anAgent().heartbeatInterval(10).register();
    clock.advance(Duration.ofMinutes(5));
    Outcomes.recordAfterLoadingTheAgent(a.id(), true, validated(1000));
    Row row = agentRow(a.id());
    assertThat(row.getOffsetDateTime("last_heartbeat_at").toInstant()).isEqualTo(t0.plus(Duration.ofMinutes(5)));
    assertThat(row.getOffsetDateTime("lease_expires_at").toInstant())
        .isEqualTo(t0.plus(Duration.ofMinutes(5)).plusSeconds(30));
    assertThat(row.getDouble("reliability_score")).isCloseTo(0.8, within(1e-9));
  }
}
