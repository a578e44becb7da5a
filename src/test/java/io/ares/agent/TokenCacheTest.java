package io.ares.agent;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static org.awaitility.Awaitility.await;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Resolved tokens are remembered for {@code ares.auth.token-cache-ttl}, and forgotten at once when revoked: on this
 * instance by the rotation itself, on the others by the revocation notification (simulated here by changing the row
 * behind this instance's back, as another replica's rotation would, then sending that notification).
 */
@QuarkusTest
class TokenCacheTest {

  @Inject Pool pool;

  private void sql(String sql, Object... args) {
    pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10));
  }

  @Test
  void a_rotated_token_is_refused_at_once() {
    TestAgent a = anAgent().register();
    as(a).get("/api/v1/agents/" + a.id() + "/assignments?wait_seconds=0").then().statusCode(200);
    operator().post("/api/v1/agents/" + a.id() + "/token").then().statusCode(200);
    as(a).get("/api/v1/agents/" + a.id() + "/assignments?wait_seconds=0").then().statusCode(401);
  }

  @Test
  void another_replicas_revocation_reaches_this_instance() {
    TestAgent a = anAgent().register();
    as(a).get("/api/v1/agents/" + a.id() + "/assignments?wait_seconds=0").then().statusCode(200);
    // Another replica rotates the token: the row changes, this instance still remembers the old resolution ...
    sql("UPDATE agent SET token_hash = sha256(convert_to(gen_random_uuid()::text, 'UTF8')) WHERE agent_id = $1", a.id());
    as(a).get("/api/v1/agents/" + a.id() + "/assignments?wait_seconds=0").then().statusCode(200);
    // ... until that replica's revocation notification arrives.
    sql("SELECT pg_notify('ares_messages', '!' || $1)", a.id());
    // Well inside the cache's 5 s: only the notification can make this pass.
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
        as(a).get("/api/v1/agents/" + a.id() + "/assignments?wait_seconds=0").then().statusCode(401));
  }
}
