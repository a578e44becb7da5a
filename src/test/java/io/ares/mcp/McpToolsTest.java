package io.ares.mcp;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Api.uniqueId;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.ares.testing.Api.TestAgent;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.quarkiverse.mcp.server.test.McpAssured.ToolInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The MCP tools driven by the extension's own client, McpAssured: what each caller sees and may call, refusals as
 * tool errors carrying the problem, a coordinator agent's sessions, and an agent's work and compensation loop.
 */
@QuarkusTest
class McpToolsTest {

  static final Set<String> AGENT_TOOLS = Set.of("ares_heartbeat", "ares_next_assignments", "ares_ack",
      "ares_submit_evidence", "ares_report_failure", "ares_confirm_compensation", "ares_put_task_state",
      "ares_checkpoint", "ares_rollback", "ares_my_reliability");
  static final Set<String> OPERATOR_TOOLS = Set.of("ares_create_session", "ares_list_sessions", "ares_get_session",
      "ares_session_events", "ares_cancel_session", "ares_retry_compensation", "ares_list_agents", "ares_get_agent",
      "ares_quarantine_agent", "ares_release_agent");
  static final Set<String> VIEWER_TOOLS = Set.of("ares_list_sessions", "ares_get_session", "ares_session_events",
      "ares_list_agents", "ares_get_agent");

  private static final ObjectMapper JSON = new ObjectMapper();

  static McpStreamableTestClient agentClient(TestAgent a) {
    return McpAssured.newStreamableClient()
        .setAdditionalHeaders(m -> MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + a.token()))
        .build().connect();
  }

  static McpStreamableTestClient basicClient(String user, String password) {
    return McpAssured.newStreamableClient().setBasicAuth(user, password).build().connect();
  }

  static JsonObject structured(ToolResponse r) {
    Object sc = r.structuredContent();
    return sc instanceof JsonObject o ? o : JsonObject.mapFrom(sc);
  }

  static Set<String> toolNames(McpStreamableTestClient client, Map<String, ToolInfo> into) {
    AtomicReference<Set<String>> names = new AtomicReference<>();
    client.when().toolsList(page -> {
      names.set(page.tools().stream().map(ToolInfo::name).collect(java.util.stream.Collectors.toSet()));
      page.tools().forEach(t -> into.put(t.name(), t));
    }).thenAssertResults();
    return names.get();
  }

  static Set<String> toolNames(McpStreamableTestClient client) {
    return toolNames(client, new HashMap<>());
  }

  /** The structured content conforms to the tool's declared output schema. */
  static void conforms(ToolInfo tool, JsonObject content) {
    try {
      JsonNode schema = JSON.readTree(tool.outputSchema().encode());
      var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema)
          .validate(JSON.readTree(content.encode()));
      assertThat(errors).as(tool.name() + " answers " + content.encode()).isEmpty();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAgentWithoutTheGrantSeesOnlyTheAgentToolsAndOthersAreUnknown() {
    TestAgent agent = anAgent().id(uniqueId("mcp-vis")).register();
    McpStreamableTestClient client = agentClient(agent);
    assertThat(toolNames(client)).isEqualTo(AGENT_TOOLS);
    client.when()
        .toolsCall("ares_create_session").withArguments(Map.of("task", Map.of("type", "x"), "agent_ids", List.of(agent.id())))
        .withErrorAssert(e -> {
          assertThat(e.code()).isEqualTo(JsonRpcErrorCodes.INVALID_PARAMS);
          assertThat(e.message()).isEqualTo("Invalid tool name: ares_create_session");
        }).send()
        .toolsCall("ares_no_such_tool").withArguments(Map.of())
        .withErrorAssert(e -> assertThat(e.code()).isEqualTo(JsonRpcErrorCodes.INVALID_PARAMS)).send()
        .toolsCall("ares_list_agents").withArguments(Map.of())
        .withErrorAssert(e -> assertThat(e.message()).isEqualTo("Invalid tool name: ares_list_agents")).send()
        .thenAssertResults();
    client.disconnect();
  }

  @Test
  void operatorsSeeTheOperatorToolsAndViewersTheReadOnlyOnes() {
    Map<String, ToolInfo> infos = new HashMap<>();
    McpStreamableTestClient op = basicClient("admin", "admin");
    assertThat(toolNames(op, infos)).isEqualTo(OPERATOR_TOOLS);
    assertThat(infos.get("ares_cancel_session").annotations().orElseThrow().destructiveHint()).isTrue();
    assertThat(infos.get("ares_quarantine_agent").annotations().orElseThrow().destructiveHint()).isTrue();
    assertThat(infos.get("ares_get_session").annotations().orElseThrow().readOnlyHint()).isTrue();
    assertThat(infos.get("ares_get_session").annotations().orElseThrow().destructiveHint()).isFalse();
    assertThat(infos.get("ares_create_session").inputSchema().getJsonArray("required").getList()).contains("task");
    op.disconnect();

    McpStreamableTestClient viewer = basicClient("viewer", "viewer");
    assertThat(toolNames(viewer)).isEqualTo(VIEWER_TOOLS);
    viewer.when()
        .toolsCall("ares_cancel_session").withArguments(Map.of("session_id", UUID.randomUUID().toString()))
        .withErrorAssert(e -> assertThat(e.message()).isEqualTo("Invalid tool name: ares_cancel_session")).send()
        .toolsCall("ares_list_agents", Map.of("size", 5), r -> {
          assertThat(r.isError()).isFalse();
          assertThat(structured(r).getInteger("size")).isEqualTo(5);
        })
        .thenAssertResults();
    viewer.disconnect();
  }

  @Test
  void anOperatorCreatesWatchesAndCancelsASessionThroughMcp() {
    TestAgent worker = anAgent().id(uniqueId("mcp-opw")).register();
    Map<String, ToolInfo> infos = new HashMap<>();
    McpStreamableTestClient op = basicClient("admin", "admin");
    toolNames(op, infos);
    AtomicReference<String> sessionId = new AtomicReference<>();
    op.when().toolsCall("ares_create_session",
        Map.of("task", Map.of("type", "summarise", "input", Map.of("text", "hi")), "agent_ids", List.of(worker.id()),
            "idempotency_key", uniqueId("k")),
        r -> {
          assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
          JsonObject s = structured(r);
          conforms(infos.get("ares_create_session"), s);
          assertThat(s.getString("coordinator_id")).isEqualTo("operator:admin");
          sessionId.set(s.getString("session_id"));
        }).thenAssertResults();
    operator().get("/api/v1/sessions/" + sessionId.get()).then().statusCode(200)
        .body("coordinator_id", equalTo("operator:admin"));
    op.when()
        .toolsCall("ares_get_session", Map.of("session_id", sessionId.get()), r -> {
          conforms(infos.get("ares_get_session"), structured(r));
          assertThat(structured(r).getJsonArray("assignments")).hasSize(1);
        })
        .toolsCall("ares_session_events", Map.of("session_id", sessionId.get()), r -> {
          conforms(infos.get("ares_session_events"), structured(r));
          assertThat(structured(r).getJsonArray("items")).isNotEmpty();
        })
        .toolsCall("ares_cancel_session", Map.of("session_id", sessionId.get(), "reason", "changed my mind"), r -> {
          assertThat(r.isError()).isFalse();
          conforms(infos.get("ares_cancel_session"), structured(r));
          assertThat(structured(r).getString("cause")).isEqualTo("CANCELLED");
        })
        .toolsCall("ares_get_agent", Map.of("agent_id", worker.id()), r -> {
          conforms(infos.get("ares_get_agent"), structured(r));
          assertThat(structured(r).getString("agent_id")).isEqualTo(worker.id());
        })
        .thenAssertResults();
    op.disconnect();
  }

  @Test
  void aRefusalIsAToolErrorCarryingTheProblem() {
    TestAgent agent = anAgent().id(uniqueId("mcp-err")).register();
    McpStreamableTestClient client = agentClient(agent);
    client.when()
        .toolsCall("ares_ack", Map.of("assignment_id", UUID.randomUUID().toString()), r -> {
          assertThat(r.isError()).isTrue();
          assertThat(structured(r).getString("code")).isEqualTo("NOT_FOUND");
          assertThat(structured(r).getInteger("status")).isEqualTo(404);
          assertThat(((TextContent) r.firstContent()).text()).startsWith("NOT_FOUND");
        })
        .toolsCall("ares_next_assignments", Map.of("wait_seconds", 16), r -> {
          assertThat(r.isError()).isTrue();
          assertThat(structured(r).getString("code")).isEqualTo("VALIDATION_FAILED");
          assertThat(structured(r).getJsonArray("errors").getList()).isNotEmpty();
        })
        .toolsCall("ares_report_failure", Map.of("assignment_id", UUID.randomUUID().toString(), "code", 5), r -> {
          assertThat(r.isError()).isTrue();
          assertThat(structured(r).getString("code")).isEqualTo("VALIDATION_FAILED");
        })
        .toolsCall("ares_ack", Map.of("assignment_id", "not-a-uuid"), r -> {
          assertThat(r.isError()).isTrue();
          assertThat(structured(r).getString("code")).isEqualTo("NOT_FOUND");
        })
        .thenAssertResults();
    client.disconnect();
  }

  @Test
  void aCoordinatorAgentCreatesReadsAndCancelsItsOwnSessions() {
    TestAgent coordinator = anAgent().id(uniqueId("mcp-coord")).coordinator().register();
    TestAgent worker = anAgent().id(uniqueId("mcp-w")).register();
    String foreign = aSession().agents(anAgent().id(uniqueId("mcp-x")).register()).create().getString("session_id");
    McpStreamableTestClient client = agentClient(coordinator);
    Set<String> expected = new java.util.HashSet<>(AGENT_TOOLS);
    expected.addAll(Set.of("ares_create_session", "ares_get_session", "ares_cancel_session"));
    assertThat(toolNames(client)).isEqualTo(expected);
    AtomicReference<String> sessionId = new AtomicReference<>();
    client.when()
        .toolsCall("ares_create_session", Map.of("task", Map.of("type", "summarise"), "agent_ids", List.of(worker.id())), r -> {
          assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
          assertThat(structured(r).getString("coordinator_id")).isEqualTo(coordinator.id());
          sessionId.set(structured(r).getString("session_id"));
        })
        .toolsCall("ares_get_session", Map.of("session_id", foreign), r -> {
          assertThat(r.isError()).isTrue();
          assertThat(structured(r).getString("code")).isEqualTo("FORBIDDEN");
        })
        .thenAssertResults();
    client.when()
        .toolsCall("ares_cancel_session", Map.of("session_id", sessionId.get()), r -> {
          assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
          assertThat(structured(r).getString("cause")).isEqualTo("CANCELLED");
        })
        .thenAssertResults();
    client.disconnect();

    // The grant revoked: the next MCP request no longer shows the coordinator tools.
    operator().body(Map.of("coordinator", false)).put("/api/v1/agents/" + coordinator.id() + "/grants").then().statusCode(200);
    McpStreamableTestClient again = agentClient(coordinator);
    assertThat(toolNames(again)).isEqualTo(AGENT_TOOLS);
    again.disconnect();
  }

  @Test
  void anAgentWorksAndCompensatesThroughMcp() {
    TestAgent a = anAgent().id(uniqueId("mcp-a")).register();
    TestAgent b = anAgent().id(uniqueId("mcp-b")).register();
    String sessionId = aSession().agents(a, b).create().getString("session_id");
    Map<String, ToolInfo> infos = new HashMap<>();
    McpStreamableTestClient client = agentClient(a);
    toolNames(client, infos);
    AtomicReference<JsonObject> delegation = new AtomicReference<>();
    client.when().toolsCall("ares_next_assignments", Map.of("wait_seconds", 0), r -> {
      conforms(infos.get("ares_next_assignments"), structured(r));
      delegation.set(structured(r).getJsonArray("messages").getJsonObject(0));
    }).thenAssertResults();
    String assignmentId = delegation.get().getString("assignment_id");
    Map<String, Object> ev = new HashMap<>(evidence(delegation.get().getString("task_id"), Map.of("summary", "done"), Map.of()));
    ev.remove("completion_time"); // optional through MCP: now
    ev.remove("metrics");
    ev.put("assignment_id", assignmentId);
    client.when()
        .toolsCall("ares_ack", Map.of("assignment_id", assignmentId), r -> conforms(infos.get("ares_ack"), structured(r)))
        .toolsCall("ares_submit_evidence", ev, r -> {
          assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
          assertThat(structured(r).getBoolean("overall_success")).as(structured(r).encode()).isTrue();
        })
        .toolsCall("ares_my_reliability", Map.of(), r -> conforms(infos.get("ares_my_reliability"), structured(r)))
        .toolsCall("ares_heartbeat", Map.of(), r -> conforms(infos.get("ares_heartbeat"), structured(r)))
        .thenAssertResults();

    operator().body(Map.of("reason", "stop")).post("/api/v1/sessions/" + sessionId + "/cancel").then().statusCode(200)
        .body("state", equalTo("COMPENSATING"));
    AtomicReference<JsonObject> order = new AtomicReference<>();
    client.when().toolsCall("ares_next_assignments", Map.of("wait_seconds", 5), r -> {
      order.set(structured(r).getJsonArray("messages").getJsonObject(0));
    }).thenAssertResults();
    assertThat(order.get().getString("type")).isEqualTo("compensation");
    client.when().toolsCall("ares_confirm_compensation",
        Map.of("assignment_id", order.get().getString("assignment_id"), "ok", true, "detail", "undone"), r -> {
          assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
          assertThat(structured(r).getString("state")).isEqualTo("COMPENSATED");
        }).thenAssertResults();
    client.disconnect();
  }

  @Test
  void resourcesAndTheAgentLoopPrompt() {
    TestAgent a = anAgent().id(uniqueId("mcp-res")).register();
    TestAgent other = anAgent().id(uniqueId("mcp-oth")).register();
    McpStreamableTestClient client = agentClient(a);
    client.when()
        .resourcesRead("ares://agents/" + a.id(), r -> {
          String text = r.contents().get(0).asText().text();
          assertThat(new JsonObject(text).getString("agent_id")).isEqualTo(a.id());
        })
        .resourcesRead("ares://agents/" + other.id())
        .withErrorAssert(e -> assertThat(e.message()).startsWith("FORBIDDEN")).send()
        .promptsGet("ares_agent_loop", r -> {
          String text = ((TextContent) r.messages().get(0).content()).text();
          assertThat(text).contains(a.id()).contains("SHA-256").contains("RFC 8785").contains("ares_confirm_compensation");
        })
        .thenAssertResults();
    client.disconnect();

    String sessionId = aSession().agents(other).create().getString("session_id");
    McpStreamableTestClient viewer = basicClient("viewer", "viewer");
    viewer.when()
        .resourcesRead("ares://sessions/" + sessionId, r ->
            assertThat(new JsonObject(r.contents().get(0).asText().text()).getString("session_id")).isEqualTo(sessionId))
        .resourcesRead("ares://sessions/" + UUID.randomUUID())
        .withErrorAssert(e -> assertThat(e.code()).isEqualTo(JsonRpcErrorCodes.RESOURCE_NOT_FOUND)).send()
        .promptsList(p -> assertThat(p.size()).isZero())
        .thenAssertResults();
    viewer.disconnect();
  }
}
