package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 5's scenario: an honest agent and one that sends wrong checksums, in capability-based sessions. */
@QuarkusTest
class CheatIsQuarantinedTest {

  static double score(TestAgent a) {
    return operator().get("/api/v1/agents/" + a.id()).then().extract().jsonPath().getDouble("reliability_score");
  }

  @Test
  void the_cheat_is_quarantined_and_excluded_while_the_honest_agent_rises() {
    String cap = uniqueId("translate");
    TestAgent honest = anAgent().capabilities(cap).heartbeatInterval(3600).register();
    TestAgent cheat = anAgent().capabilities(cap).heartbeatInterval(3600).register();
    double honestBefore = score(honest);
    for (int round = 1; round <= 3; round++) {
      JsonPath s = aSession().capability(cap, 2).quorum(1).create();
      assertThat(s.getList("assignments.agent_id", String.class)).containsExactlyInAnyOrder(honest.id(), cheat.id());
      Map<String, Object> m = takeDelegation(cheat);
      Map<String, Object> ev = evidence((String) m.get("task_id"), "made up", Map.of());
      ev.put("checksum", "f".repeat(64));
      as(cheat).body(ev).post("/api/v1/assignments/" + m.get("assignment_id") + "/evidence").then().statusCode(200)
          .body("proof_valid", org.hamcrest.Matchers.equalTo(false));
      work(honest, Map.of());
    }
    operator().get("/api/v1/agents/" + cheat.id()).then().body("status", org.hamcrest.Matchers.equalTo("QUARANTINED"));
    List<String> codes = operator().get("/api/v1/agents/" + cheat.id() + "/incidents").then().statusCode(200)
        .extract().jsonPath().getList("items.code");
    assertThat(codes).hasSize(3).containsOnly("PROOF_VALIDATION_FAILED");
    assertThat(score(honest)).isGreaterThan(honestBefore);
    assertThat(score(cheat)).isLessThan(score(honest));
    // The next capability-based session goes to the honest agent only.
    JsonPath next = aSession().capability(cap, 1).create();
    assertThat(next.getString("assignments[0].agent_id")).isEqualTo(honest.id());
    operator().body(aSession().capability(cap, 2).body()).post("/api/v1/sessions").then().statusCode(422);
  }
}
