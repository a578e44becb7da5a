package io.ares.reliability;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.viewer;
import static io.ares.testing.Outcomes.an;
import static io.ares.testing.Outcomes.validated;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.Outcomes;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /agents/{id}/reliability, /incidents, /reliability/history, /enforcement (SPEC §3). */
@QuarkusTest
class ReliabilityApiTest {

  @Inject SettableClock clock;

  @AfterEach
  void resetClock() {
    clock.reset();
  }

  private static String path(TestAgent a, String tail) {
    return "/api/v1/agents/" + a.id() + "/" + tail;
  }

  @Test
  void a_new_agents_report_shows_the_prior() {
    TestAgent a = anAgent().register();
    as(a).get(path(a, "reliability")).then().statusCode(200)
        .body("agent_id", equalTo(a.id()))
        .body("reliability_score", equalTo(0.75f))
        .body("success_rate", equalTo(0.75f))
        .body("raw_success_rate", nullValue())
        .body("results", equalTo(0))
        .body("response_time_trend.samples", equalTo(0))
        .body("response_time_trend.slope_ms_per_day", nullValue())
        .body("completion_pattern.VALIDATED", equalTo(0))
        .body("completion_pattern.PROOF_VALIDATION_FAILED", equalTo(0))
        .body("anomalies", empty())
        .body("analysis_timestamp", notNullValue())
        .body("window_seconds", equalTo(7 * 24 * 3600));
  }

  @Test
  void the_report_counts_the_window_by_kind_and_weighs_failures_by_impact() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), validated(900), validated(1100), an("AGENT_FAILURE").detail("E42: disk full"));
    // s = 2, f = 0.25: p = (3 + 2) / (4 + 2.25) = 0.8
    viewer().get(path(a, "reliability")).then().statusCode(200)
        .body("reliability_score", equalTo(0.8f))
        .body("success_rate", equalTo(0.8f))
        .body("raw_success_rate", equalTo(2f / 3f))
        .body("results", equalTo(3))
        .body("successes", equalTo(2))
        .body("failure_weight", equalTo(0.25f))
        .body("completion_pattern.VALIDATED", equalTo(2))
        .body("completion_pattern.AGENT_FAILURE", equalTo(1))
        .body("response_time_trend.samples", equalTo(2))
        .body("response_time_trend.mean_ms", equalTo(1000f))
        .body("response_time_trend.median_ms", equalTo(1000f));
    operator().get("/api/v1/agents/" + a.id()).then().body("reliability_score", equalTo(0.8f));
  }

  @Test
  void reliability_and_incidents_are_for_the_agent_itself_and_staff_only() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    for (String tail : new String[] {"reliability", "incidents", "reliability/history", "enforcement"}) {
      anonymous().get(path(a, tail)).then().statusCode(401)
          .contentType("application/problem+json").body("code", equalTo("UNAUTHORIZED"));
      as(b).get(path(a, tail)).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
      as(a).get(path(a, tail)).then().statusCode(200);
      viewer().get(path(a, tail)).then().statusCode(200);
      operator().get(path(a, tail)).then().statusCode(200);
      operator().get("/api/v1/agents/no-such-agent/" + tail).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
      // An agent learns nothing about other ids, existing or not.
      as(a).get("/api/v1/agents/no-such-agent/" + tail).then().statusCode(403);
    }
  }

  @Test
  void incidents_are_listed_newest_first_and_paged_with_their_classification() {
    TestAgent a = anAgent().register();
    UUID assignment = UUID.randomUUID();
    UUID session = UUID.randomUUID();
    clock.set(Instant.parse("2033-03-03T10:00:00Z"));
    Outcomes.record(a.id(), an("AGENT_FAILURE").detail("E42: disk full"));
    clock.advance(Duration.ofMinutes(1));
    Outcomes.record(a.id(), an("COMPENSATION_FAILED").detail("refused"));
    clock.advance(Duration.ofMinutes(1));
    Outcomes.record(a.id(), validated(1000));
    clock.advance(Duration.ofMinutes(1));
    Outcomes.record(a.id(), an("COORDINATION_FAILED").assignment(null).session(session).detail("quorum unreachable"));
    clock.advance(Duration.ofMinutes(1));
    Outcomes.record(a.id(), Outcomes.rejected().assignment(assignment).session(session));

    as(a).queryParam("size", 2).get(path(a, "incidents")).then().statusCode(200)
        .body("total", equalTo(4)).body("page", equalTo(0)).body("size", equalTo(2))
        .body("items.code", contains("PROOF_VALIDATION_FAILED", "COORDINATION_FAILED"))
        .body("items[0].impact", equalTo("high"))
        .body("items[0].enforceable", equalTo(true))
        .body("items[0].assignment_id", equalTo(assignment.toString()))
        .body("items[0].session_id", equalTo(session.toString()))
        .body("items[0].at", equalTo("2033-03-03T10:04:00Z"))
        .body("items[0].detail", equalTo("checksum mismatch"))
        .body("items[1].impact", equalTo("medium"))
        .body("items[1].enforceable", equalTo(false))
        .body("items[1].assignment_id", nullValue());
    viewer().queryParam("size", 2).queryParam("page", 1).get(path(a, "incidents")).then().statusCode(200)
        .body("items.code", contains("COMPENSATION_FAILED", "AGENT_REPORTED_FAILURE"))
        .body("items.impact", contains("low", "low"))
        .body("items[1].detail", equalTo("E42: disk full"));
    viewer().queryParam("size", 0).get(path(a, "incidents")).then().statusCode(400).body("code", equalTo("VALIDATION_FAILED"));
    viewer().queryParam("size", 501).get(path(a, "incidents")).then().statusCode(400);
    viewer().queryParam("page", -1).get(path(a, "incidents")).then().statusCode(400);
    viewer().queryParam("page", "x").get(path(a, "incidents")).then().statusCode(400);
  }

  @Test
  void the_score_history_lists_the_newest_points_oldest_first() {
    TestAgent a = anAgent().register();
    Outcomes.record(a.id(), validated(1000), validated(1000), validated(1000));
    // 0.8, 5/6, 6/7
    as(a).get(path(a, "reliability/history")).then().statusCode(200)
        .body("score", contains(0.8f, 5f / 6f, 6f / 7f));
    as(a).queryParam("limit", 2).get(path(a, "reliability/history")).then().statusCode(200)
        .body("score", contains(5f / 6f, 6f / 7f));
    as(a).queryParam("limit", 0).get(path(a, "reliability/history")).then().statusCode(400);
  }
}
