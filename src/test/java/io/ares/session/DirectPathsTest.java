package io.ares.session;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.submit;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.reliability.OutcomeProjector;
import io.ares.testing.Api.TestAgent;
import io.ares.testing.HeldRecord;
import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one-statement ACK (its refusals answered by the transaction path) and the direct evidence path (valid first submissions, written in two statements) against the rows the engine path
 * writes: the same transitions and event rows, the validation order, the capacity given back, the completion in the
 * last verdict's transaction, and a reliability outcome applied right after the commit (the answer does not wait for
 * it unless {@code ares.reliability.verdict-awaits-record}) — or by the sweep when it was left behind.
 */
@QuarkusTest
class DirectPathsTest {

  @Inject SettableClock clock;
  @Inject Pool pool;
  @Inject OutcomeProjector projector;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;
  @Inject DirectTransitions direct;
  @Inject SessionService sessions;
  @Inject DirectEvidence directEvidence;

  @AfterEach
  void reset() {
    clock.reset();
  }

  private List<Row> rows(String sql, Object... args) {
    List<Row> out = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10)).forEach(out::add);
    return out;
  }

  private long results(TestAgent a) {
    return rows("SELECT count(*) AS n FROM reliability_result WHERE agent_id = $1", a.id()).get(0).getLong("n");
  }

  /** Outcomes ever queued by the direct evidence path (the queue's id sequence). */
  private long outcomesQueued() {
    Row r = rows("SELECT last_value, is_called FROM reliability_outcome_outcome_id_seq").get(0);
    return r.getBoolean("is_called") ? r.getLong("last_value") : 0;
  }

  @Test
  void valid_evidence_writes_the_same_transitions_and_completes_in_the_last_verdict() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aSession().agents(a, b).criteria("quality_score", ">= 8.0").create().getString("session_id");

    long queued = outcomesQueued();
    JsonPath first = work(a, Map.of("quality_score", 9.0));
    // The direct path ran: its outcome went through the queue (the engine path records outcomes in place).
    assertThat(outcomesQueued()).isEqualTo(queued + 1);
    assertThat(first.getBoolean("overall_success")).isTrue();
    // The projector applies the outcome right after the commit.
    awaitResults(a, 1);
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("IN_PROGRESS"));
    operator().get("/api/v1/agents/" + a.id()).then().body("open_assignments", equalTo(0));

    clock.advance(Duration.ofSeconds(1));
    work(b, Map.of("quality_score", 8.5));
    operator().get("/api/v1/sessions/" + id).then()
        .body("state", equalTo("COMPLETED"))
        .body("cause", equalTo("QUORUM_VALIDATED"));
    awaitResults(b, 1);
    assertThat(rows("SELECT count(*) AS n FROM reliability_outcome WHERE agent_id = ANY($1)",
        (Object) new String[] {a.id(), b.id()}).get(0).getLong("n")).isZero();

    // Event rows: each assignment DELEGATED → ACKNOWLEDGED → SUBMITTED → VALIDATED (the agent submitted, the engine
    // judged), the session's COMPLETED right after the last verdict, in that order.
    List<Row> events = rows("SELECT entity, entity_id, from_state, to_state, cause, actor FROM session_event "
        + "WHERE session_id = $1 ORDER BY seq", UUID.fromString(id));
    List<String> lines = events.stream().map(r -> r.getString("entity") + ":" + r.getString("from_state") + ">"
        + r.getString("to_state") + ":" + r.getString("cause")).toList();
    assertThat(lines.subList(lines.size() - 3, lines.size())).containsExactly(
        "assignment:ACKNOWLEDGED>SUBMITTED:EVIDENCE_SUBMITTED",
        "assignment:SUBMITTED>VALIDATED:EVIDENCE_VALID",
        "session:IN_PROGRESS>COMPLETED:QUORUM_VALIDATED");
    Row submitted = events.get(events.size() - 3);
    assertThat(submitted.getString("actor")).isEqualTo(b.id());
    // Validation order (compensations run in reverse of it) and the timestamps of the assignment.
    List<Row> as = rows("SELECT agent_id, validation_seq, submitted_at, validated_at, ended_at, evidence_hash, verdict "
        + "FROM assignment WHERE session_id = $1 ORDER BY validation_seq", UUID.fromString(id));
    assertThat(as).extracting(r -> r.getString("agent_id")).containsExactly(a.id(), b.id());
    assertThat(as).allSatisfy(r -> {
      assertThat(r.getOffsetDateTime("validated_at")).isNotNull();
      assertThat(r.getOffsetDateTime("ended_at")).isEqualTo(r.getOffsetDateTime("validated_at"));
      assertThat(r.getString("evidence_hash")).hasSize(64);
      assertThat(r.getJsonObject("verdict").getBoolean("overall_success")).isTrue();
    });
  }

  @Test
  void acks_that_arrive_together_share_one_statement_each_with_its_own_transition() {
    int n = 10;
    List<TestAgent> agents = new ArrayList<>();
    List<UUID> assignments = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestAgent a = anAgent().register();
      aSession().agents(a).completionTimeout(60 + i).create();
      agents.add(a);
      assignments.add(UUID.fromString((String) takeDelegation(a).get("assignment_id")));
    }
    TestAgent stranger = anAgent().register();
    io.micrometer.core.instrument.DistributionSummary perStatement =
        registry.summary(io.ares.platform.GroupCommit.SIZE_METRIC, "writer", "ack");
    long statements = perStatement.count();
    // All submitted before the first statement is answered: the first runs at once, the rest share the next one.
    List<io.smallrye.mutiny.Uni<Assignment>> acks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      acks.add(direct.ack(assignments.get(i), agentCaller(agents.get(i))));
    }
    // The same ACK twice in one batch, and someone else's: answered as the transaction path answers them.
    acks.add(direct.ack(assignments.get(n - 1), agentCaller(agents.get(n - 1))));
    acks.add(direct.ack(assignments.get(0), agentCaller(stranger)));
    List<Object> answers = acks.stream().map(u -> u.<Object>map(x -> x).onFailure().recoverWithItem(e -> e)
        .await().atMost(Duration.ofSeconds(10))).toList();
    for (int i = 0; i < n; i++) {
      assertThat(answers.get(i)).isInstanceOf(Assignment.class);
      Row row = rows("SELECT state, acked_at, completion_deadline FROM assignment WHERE assignment_id = $1",
          assignments.get(i)).get(0);
      assertThat(row.getString("state")).isEqualTo("ACKNOWLEDGED");
      // Each its own session's completion timeout.
      assertThat(Duration.between(row.getOffsetDateTime("acked_at"), row.getOffsetDateTime("completion_deadline")))
          .isEqualTo(Duration.ofSeconds(60 + i));
      assertThat(rows("SELECT actor FROM session_event WHERE entity_id = $1 AND to_state = 'ACKNOWLEDGED'",
          assignments.get(i))).singleElement().extracting(e -> e.getString("actor"))
          .isEqualTo(agents.get(i).id());
    }
    assertThat(answers.get(n)).as("the same ACK again").isInstanceOf(
        io.ares.platform.fsm.InvalidTransitionException.class);
    assertThat(answers.get(n + 1)).isInstanceOfSatisfying(io.ares.platform.ApiException.class,
        e -> assertThat(e.status()).isEqualTo(403));
    assertThat(perStatement.count() - statements).as("statements for %d acks", n + 2).isLessThan(n);
    assertThat(perStatement.max()).as("acks written by one statement").isGreaterThan(1);
  }

  @Test
  void evidence_that_arrives_together_is_judged_and_written_in_one_batch_one_verdict_per_session_at_a_time() {
    int n = 8;
    List<TestAgent> agents = new ArrayList<>();
    List<Map<String, Object>> delegations = new ArrayList<>();
    List<String> sessionIds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestAgent a = anAgent().register();
      sessionIds.add(aSession().agents(a).create().getString("session_id"));
      agents.add(a);
    }
    // Two verdicts of one session: the quorum of each is counted on the rows the other leaves.
    TestAgent p = anAgent().register();
    TestAgent q = anAgent().register();
    String shared = aSession().agents(p, q).create().getString("session_id");
    agents.add(p);
    agents.add(q);
    for (TestAgent a : agents) {
      Map<String, Object> m = takeDelegation(a);
      as(a).post("/api/v1/assignments/" + m.get("assignment_id") + "/ack").then().statusCode(200);
      delegations.add(m);
    }
    io.micrometer.core.instrument.DistributionSummary perBatch =
        registry.summary(io.ares.platform.GroupCommit.SIZE_METRIC, "writer", "evidence");
    long batches = perBatch.count();
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    List<io.smallrye.mutiny.Uni<Map<String, Object>>> answers = new ArrayList<>();
    List<com.fasterxml.jackson.databind.JsonNode> bodies = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      Map<String, Object> m = delegations.get(i);
      bodies.add(mapper.valueToTree(evidence((String) m.get("task_id"), "out " + i, Map.of())));
      answers.add(sessions.evidence(UUID.fromString((String) m.get("assignment_id")), bodies.get(i),
          agentCaller(agents.get(i))));
    }
    // The first agent's evidence again, in the same batch: answered the first verdict.
    answers.add(sessions.evidence(UUID.fromString((String) delegations.get(0).get("assignment_id")), bodies.get(0),
        agentCaller(agents.get(0))));
    List<Map<String, Object>> verdicts = answers.stream().map(u -> u.await().atMost(Duration.ofSeconds(20))).toList();
    verdicts.forEach(v -> assertThat(v).containsEntry("overall_success", true));
    // The same verdict (read back from the row, its numbers as the JSON column gives them).
    java.util.function.Function<Map<String, Object>, Map<String, String>> asText = v -> new java.util.TreeMap<>(
        v.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
            x -> String.valueOf(x.getValue()))));
    assertThat(asText.apply(verdicts.get(agents.size()))).isEqualTo(asText.apply(verdicts.get(0)));
    sessionIds.add(shared);
    for (String id : sessionIds) {
      JsonPath session = operator().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
      assertThat(session.getString("state")).as("session %s", id).isEqualTo("COMPLETED");
      int participants = session.getList("assignments").size();
      assertThat(rows("SELECT count(*) AS n FROM session_event WHERE session_id = $1", UUID.fromString(id)).get(0)
          .getLong("n")).as("events of %s", id).isEqualTo(3L + 5L * participants);
    }
    assertThat(rows("SELECT count(*) AS n FROM session_event WHERE session_id = $1 AND cause = 'QUORUM_VALIDATED'",
        UUID.fromString(shared)).get(0).getLong("n")).isEqualTo(1L);
    assertThat(perBatch.count() - batches).as("batches for %d submissions", agents.size() + 1)
        .isLessThan(agents.size());
    assertThat(perBatch.max()).as("submissions judged by one batch").isGreaterThan(1);
  }

  @Test
  void a_batch_that_fails_as_a_whole_leaves_each_submission_to_the_general_path() {
    TestAgent good = anAgent().register();
    TestAgent bad = anAgent().register();
    TestAgent first = anAgent().register();
    String goodSession = aSession().agents(good).create().getString("session_id");
    String badSession = aSession().agents(bad).create().getString("session_id");
    aSession().agents(first).create();
    Map<String, Object> g = takeDelegation(good);
    Map<String, Object> b = takeDelegation(bad);
    Map<String, Object> f = takeDelegation(first);
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode firstBody = mapper.valueToTree(evidence((String) f.get("task_id"), "out",
        Map.of()));
    com.fasterxml.jackson.databind.JsonNode badBody = mapper.valueToTree(evidence((String) b.get("task_id"), "out",
        Map.of()));
    com.fasterxml.jackson.databind.JsonNode goodBody = mapper.valueToTree(evidence((String) g.get("task_id"), "out",
        Map.of()));
    // Submitted together: the first runs at once, so the next two share a batch. The second's hash is longer than
    // its column (the API always computes a SHA-256 hex of 64 characters), which fails that batch's statement.
    var warmup = direct(f, firstBody, "a".repeat(64), first);
    var failing = direct(b, badBody, "b".repeat(65), bad);
    var fine = direct(g, goodBody, "c".repeat(64), good);
    assertThat(warmup.await().atMost(Duration.ofSeconds(10))).containsEntry("overall_success", true);
    // Both left to the general path (null), the good one not failed with the other's error.
    assertThat(fine.await().atMost(Duration.ofSeconds(10))).isNull();
    assertThat(failing.await().atMost(Duration.ofSeconds(10))).isNull();
    operator().get("/api/v1/sessions/" + goodSession).then().statusCode(200).body("state", equalTo("IN_PROGRESS"));
    operator().get("/api/v1/sessions/" + badSession).then().statusCode(200).body("state", equalTo("IN_PROGRESS"))
        .body("assignments[0].state", equalTo("DELEGATED"));
    // A character PostgreSQL cannot store is refused by the API before any batch: a 400; the good one is judged.
    as(bad).body(evidence((String) b.get("task_id"), "x\u0000y", Map.of()))
        .post("/api/v1/assignments/" + b.get("assignment_id") + "/evidence").then().statusCode(400);
    submit(good, (String) g.get("assignment_id"), evidence((String) g.get("task_id"), "out", Map.of()));
    operator().get("/api/v1/sessions/" + goodSession).then().statusCode(200).body("state", equalTo("COMPLETED"));
  }

  private io.smallrye.mutiny.Uni<Map<String, Object>> direct(Map<String, Object> delegation,
      com.fasterxml.jackson.databind.JsonNode body, String hash, TestAgent a) {
    return directEvidence.submit(UUID.fromString((String) delegation.get("assignment_id")), body, hash,
        agentCaller(a), System.nanoTime());
  }

  private static io.ares.platform.security.Caller agentCaller(TestAgent a) {
    return new io.ares.platform.security.Caller(a.id(), true, false, false);
  }

  @Test
  void ack_writes_the_completion_deadline_and_refuses_what_the_table_refuses() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    aSession().agents(a, b).create();
    Map<String, Object> m = takeDelegation(a);
    String assignment = (String) m.get("assignment_id");
    // Someone else's assignment, an unknown one, an operator: refused, nothing written.
    as(b).post("/api/v1/assignments/" + assignment + "/ack").then().statusCode(403);
    as(a).post("/api/v1/assignments/" + UUID.randomUUID() + "/ack").then().statusCode(404);
    operator().post("/api/v1/assignments/" + assignment + "/ack").then().statusCode(403);
    as(a).post("/api/v1/assignments/" + assignment + "/ack").then().statusCode(200)
        .body("state", equalTo("ACKNOWLEDGED"));
    Row row = rows("SELECT acked_at, completion_deadline, version FROM assignment WHERE assignment_id = $1",
        UUID.fromString(assignment)).get(0);
    // The session's task sets no completion timeout: the configured default (ares.assignment.completion-timeout).
    assertThat(Duration.between(row.getOffsetDateTime("acked_at"), row.getOffsetDateTime("completion_deadline")))
        .isEqualTo(Duration.ofMinutes(10));
    // Twice: the table refuses ACKNOWLEDGED + ACK, with the allowed next states.
    as(a).post("/api/v1/assignments/" + assignment + "/ack").then().statusCode(409)
        .body("code", equalTo("INVALID_TRANSITION"))
        .body("current_state", equalTo("ACKNOWLEDGED"));
    assertThat(rows("SELECT count(*) AS n FROM session_event WHERE entity_id = $1 AND to_state = 'ACKNOWLEDGED'",
        UUID.fromString(assignment)).get(0).getLong("n")).isEqualTo(1);
    // The delegation is closed: no redelivery of a task the agent has.
    assertThat(rows("SELECT count(*) AS n FROM agent_message WHERE assignment_id = $1 AND open",
        UUID.fromString(assignment)).get(0).getLong("n")).isZero();
  }

  @Test
  void an_identical_resubmission_gets_the_first_verdict_and_a_different_one_409() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    aSession().agents(a, b).create();
    Map<String, Object> m = takeDelegation(a);
    String assignment = (String) m.get("assignment_id");
    Map<String, Object> e = evidence((String) m.get("task_id"), "out", Map.of());
    JsonPath v1 = submit(a, assignment, e);
    JsonPath v2 = submit(a, assignment, e);
    assertThat(v2.getMap("")).isEqualTo(v1.getMap(""));
    as(a).body(evidence((String) m.get("task_id"), "other", Map.of()))
        .post("/api/v1/assignments/" + assignment + "/evidence")
        .then().statusCode(409).body("current_state", equalTo("VALIDATED"));
    // Someone else's assignment: 403, nothing written.
    as(b).body(e).post("/api/v1/assignments/" + assignment + "/evidence").then().statusCode(403);
    awaitResults(a, 1);
  }

  @Test
  void a_valid_verdict_is_answered_at_commit_while_its_outcome_waits_for_the_projector() throws Exception {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    aSession().agents(a, b).create();
    try (HeldRecord held = HeldRecord.of(pool, a.id())) {
      // The projector cannot take the agent's reliability lock: the verdict is answered anyway (well before the
      // projector's own 15 s bound), not yet recorded.
      JsonPath v = java.util.concurrent.CompletableFuture.supplyAsync(() -> work(a, Map.of()))
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(v.getBoolean("overall_success")).isTrue();
      assertThat(results(a)).isZero();
    }
    awaitResults(a, 1);
  }

  @Test
  void a_capability_session_skips_a_held_agent_and_waits_for_it_only_when_too_few_are_free() throws Exception {
    String cap = io.ares.testing.Api.uniqueId("cap");
    // a sorts before b: with equal scores a is the first choice, so choosing b proves a was skipped.
    TestAgent a = anAgent().id(cap + "-a").capabilities(cap).register();
    TestAgent b = anAgent().id(cap + "-b").capabilities(cap).register();
    double atOnce = createdAtOnce();
    SqlConnection holder = pool.getConnection().await().atMost(Duration.ofSeconds(10));
    try {
      // Another transaction holds a's row, as a concurrent creation does between its choice and its commit.
      holder.query("BEGIN").execute().await().atMost(Duration.ofSeconds(10));
      holder.preparedQuery("SELECT 1 FROM agent WHERE agent_id = $1 FOR NO KEY UPDATE").execute(Tuple.of(a.id()))
          .await().atMost(Duration.ofSeconds(10));
      // One needed: the free one is taken at once (one statement), the held row skipped.
      JsonPath one = java.util.concurrent.CompletableFuture.supplyAsync(() -> aSession().capability(cap, 1).create())
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(one.getList("assignments.agent_id", String.class)).containsExactly(b.id());
      assertThat(createdAtOnce()).isEqualTo(atOnce + 1);
      // Two needed, one free: the creation waits for the held row instead of failing with 422.
      var two = java.util.concurrent.CompletableFuture.supplyAsync(() -> aSession().capability(cap, 2).create());
      org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> !two.isDone());
      holder.query("ROLLBACK").execute().await().atMost(Duration.ofSeconds(10));
      assertThat(two.get(10, java.util.concurrent.TimeUnit.SECONDS).getList("assignments.agent_id", String.class))
          .containsExactlyInAnyOrder(a.id(), b.id());
      // That one was not created by the one-statement path, which found one free row of two and wrote nothing.
      assertThat(createdAtOnce()).isEqualTo(atOnce + 1);
    } finally {
      holder.close().await().atMost(Duration.ofSeconds(10));
    }
    // Capacity reserved once per assignment, by whichever path created it.
    operator().get("/api/v1/agents/" + a.id()).then().body("open_assignments", equalTo(1));
    operator().get("/api/v1/agents/" + b.id()).then().body("open_assignments", equalTo(2));
    // Slots in the order of the choice, one CREATED event per entity, each delegation with its own payload.
    List<Row> sessions = rows("SELECT s.session_id, count(e.*) FILTER (WHERE e.cause = 'CREATED') AS created, "
        + "(SELECT count(*) FROM agent_message m WHERE m.session_id = s.session_id AND m.type = '"
        + io.ares.delivery.AgentMessage.DELEGATION + "' AND m.payload ->> 'session_id' = s.session_id::text "
        + "AND m.payload ->> 'assignment_id' = m.assignment_id::text) AS delegations, "
        + "(SELECT array_agg(a.slot ORDER BY a.slot) FROM assignment a WHERE a.session_id = s.session_id) AS slots "
        + "FROM coordination_session s JOIN session_event e ON e.session_id = s.session_id WHERE s.capability = $1 "
        + "GROUP BY s.session_id", cap);
    assertThat(sessions).hasSize(2);
    for (Row r : sessions) {
      int n = r.getArrayOfIntegers("slots").length;
      assertThat(r.getLong("created")).isEqualTo(n + 1);
      assertThat(r.getLong("delegations")).isEqualTo(n);
      assertThat(r.getArrayOfIntegers("slots")).containsExactly(n == 1 ? new Integer[] {0} : new Integer[] {0, 1});
    }
  }

  @Test
  void a_verdict_that_reaches_the_quorum_with_work_still_open_cancels_it_through_the_engine() {
    TestAgent a = anAgent().register();
    TestAgent b = anAgent().register();
    String id = aSession().agents(a, b).quorum(1).create().getString("session_id");
    Map<String, Object> mb = takeDelegation(b);
    // a's valid verdict reaches the quorum of 1 while b has the task: written by the general path, which cancels b.
    assertThat(work(a, Map.of()).getBoolean("overall_success")).isTrue();
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("COMPLETED"));
    assertThat(rows("SELECT state FROM assignment WHERE assignment_id = $1",
        UUID.fromString((String) mb.get("assignment_id"))).get(0).getString("state")).isEqualTo("CANCELLED");
    // Nothing was written twice: one VALIDATED and one COMPLETED event.
    assertThat(rows("SELECT count(*) AS n FROM session_event WHERE session_id = $1 AND to_state IN "
        + "('VALIDATED', 'COMPLETED')", UUID.fromString(id)).get(0).getLong("n")).isEqualTo(2);
  }

  private double createdAtOnce() {
    io.micrometer.core.instrument.Counter c = registry.find(DirectCreation.CREATED_AT_ONCE).counter();
    return c == null ? 0 : c.count();
  }

  private void awaitResults(TestAgent a, long n) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> results(a) == n);
  }

  @Test
  void an_outcome_left_queued_is_applied_by_the_sweep_once() {
    TestAgent a = anAgent().register();
    // As a verdict transaction leaves it when its instance stops before the batch.
    rows("INSERT INTO reliability_outcome (agent_id, kind, response_time_ms, at) VALUES ($1, 'VALIDATED', 120, $2)",
        a.id(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
    // The first sweep only notes what is queued (a row may belong to a batch in flight); the next one applies it.
    projector.sweep().await().atMost(Duration.ofSeconds(10));
    projector.sweep().await().atMost(Duration.ofSeconds(10));
    assertThat(results(a)).isEqualTo(1);
    assertThat(rows("SELECT count(*) AS n FROM reliability_outcome WHERE agent_id = $1", a.id()).get(0).getLong("n"))
        .isZero();
    projector.sweep().await().atMost(Duration.ofSeconds(10));
    assertThat(results(a)).isEqualTo(1);
  }
}
