package io.ares.mcp;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Sessions.aSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.ares.evidence.EvidenceValidator;
import io.ares.testing.Api.TestAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The MCP server driven by an independent client (plain JSON-RPC over Streamable HTTP, see {@link McpHttp}): the
 * authentication rules, and an agent's whole loop through MCP tools on a session an operator created through REST.
 */
@QuarkusTest
class McpHttpClientTest {

  private static final Map<String, Object> INIT = Map.of("jsonrpc", "2.0", "id", 1, "method", "initialize",
      "params", Map.of("protocolVersion", McpHttp.PROTOCOL, "capabilities", Map.of(),
          "clientInfo", Map.of("name", "t", "version", "1")));

  @Test
  void noCredentialsIs401WithAChallenge() {
    given().contentType(ContentType.JSON).accept("application/json, text/event-stream").body(INIT)
        .post("/mcp")
        .then().statusCode(401)
        .header("WWW-Authenticate", containsString("Bearer"));
  }

  @Test
  void wrongBearerTokenIs401() {
    given().header("Authorization", "Bearer not-a-token").contentType(ContentType.JSON)
        .accept("application/json, text/event-stream").body(INIT)
        .post("/mcp")
        .then().statusCode(401)
        .header("WWW-Authenticate", containsString("Bearer"));
  }

  @Test
  void wrongPasswordIs401() {
    given().auth().preemptive().basic("admin", "wrong").contentType(ContentType.JSON)
        .accept("application/json, text/event-stream").body(INIT)
        .post("/mcp")
        .then().statusCode(401);
  }

  @Test
  void anAgentRunsItsWholeLoopThroughMcp() {
    TestAgent agent = anAgent().id(uniqueId("mcp-loop")).register();
    String sessionId = aSession().agents(agent).create().getString("session_id");
    McpHttp mcp = McpHttp.connect(() -> McpHttp.bearer(agent.token()));

    JsonPath beat = mcp.callTool("ares_heartbeat", Map.of());
    assertThat(beat.getBoolean("result.isError")).isFalse();
    assertThat(beat.getString("result.structuredContent.agent_id")).isEqualTo(agent.id());

    JsonPath polled = mcp.callTool("ares_next_assignments", Map.of("wait_seconds", 5));
    assertThat(polled.getBoolean("result.isError")).isFalse();
    List<Map<String, Object>> messages = polled.getList("result.structuredContent.messages");
    assertThat(messages).hasSize(1);
    Map<String, Object> m = messages.get(0);
    assertThat(m.get("type")).isEqualTo("task_delegation");
    assertThat(m.get("session_id")).isEqualTo(sessionId);
    String assignmentId = (String) m.get("assignment_id");

    JsonPath ack = mcp.callTool("ares_ack", Map.of("assignment_id", assignmentId));
    assertThat(ack.getString("result.structuredContent.state")).isEqualTo("ACKNOWLEDGED");

    String output = "summary by " + agent.id();
    JsonPath verdict = mcp.callTool("ares_submit_evidence", Map.of(
        "assignment_id", assignmentId, "task_id", m.get("task_id"), "output", output,
        "checksum", EvidenceValidator.checksumOf(new com.fasterxml.jackson.databind.node.TextNode(output)),
        "metrics", Map.of("latency_ms", 12)));
    assertThat(verdict.getBoolean("result.isError")).as(verdict.prettify()).isFalse();
    assertThat(verdict.getBoolean("result.structuredContent.overall_success")).as(verdict.prettify()).isTrue();

    operator().get("/api/v1/sessions/" + sessionId).then().statusCode(200).body("state", equalTo("COMPLETED"));
  }

  @Test
  void mcpEvidenceAndRestEvidenceForTwinSessionsTakeTheSamePath() {
    TestAgent viaMcp = anAgent().id(uniqueId("mcp-twin")).register();
    TestAgent viaRest = anAgent().id(uniqueId("rest-twin")).register();
    String mcpSession = aSession().agents(viaMcp).criteria("latency_ms", "< 100").create().getString("session_id");
    String restSession = aSession().agents(viaRest).criteria("latency_ms", "< 100").create().getString("session_id");

    JsonPath restVerdict = io.ares.testing.Sessions.work(viaRest, Map.of("latency_ms", 12));

    McpHttp mcp = McpHttp.connect(() -> McpHttp.bearer(viaMcp.token()));
    Map<String, Object> m = mcp.callTool("ares_next_assignments", Map.of("wait_seconds", 0))
        .getMap("result.structuredContent.messages[0]");
    String assignmentId = (String) m.get("assignment_id");
    mcp.callTool("ares_ack", Map.of("assignment_id", assignmentId));
    Map<String, Object> ev = new java.util.HashMap<>(io.ares.testing.Sessions.evidence(
        (String) m.get("task_id"), "result of " + viaMcp.id(), Map.of("latency_ms", 12)));
    ev.put("assignment_id", assignmentId);
    JsonPath mcpVerdict = mcp.callTool("ares_submit_evidence", ev);

    for (String field : List.of("completion_valid", "proof_valid", "overall_success", "reasons")) {
      assertThat((Object) mcpVerdict.get("result.structuredContent." + field)).as(field).isEqualTo(restVerdict.get(field));
    }
    assertThat(path(mcpSession)).isEqualTo(path(restSession)).isNotEmpty();
  }

  /** A session's timeline as (entity, from, to, cause), without ids and times. */
  private static List<String> path(String sessionId) {
    List<Map<String, Object>> events = operator().get("/api/v1/sessions/" + sessionId + "/events")
        .then().statusCode(200).extract().jsonPath().getList("items");
    return events.stream().map(e -> e.get("entity") + ":" + e.get("from") + "->" + e.get("to") + ":" + e.get("cause"))
        .toList();
  }
}
