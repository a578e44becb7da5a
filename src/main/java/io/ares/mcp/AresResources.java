package io.ares.mcp;

import io.ares.agent.rest.AgentResource;
import io.ares.platform.Problem;
import io.ares.session.rest.SessionResource;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.RequestUri;
import io.quarkiverse.mcp.server.ResourceTemplate;
import io.quarkiverse.mcp.server.TextResourceContents;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The MCP resources (SPEC §9): a session and an agent as JSON, exactly as {@code GET /api/v1/sessions/{id}} and
 * {@code GET /api/v1/agents/{id}} answer them, for the callers those endpoints admit (the REST methods are called,
 * so their access rules apply). A refusal is a JSON-RPC error: -32002 (resource not found) for a 404, else -32602
 * with the problem's code and detail.
 */
@Singleton
public class AresResources {

  @Inject SessionResource sessions;
  @Inject AgentResource agents;
  @Inject ToolResults results;
  @Inject ObjectMapper mapper;

  @ResourceTemplate(name = "ares_session", uriTemplate = "ares://sessions/{id}", mimeType = "application/json",
      description = "A coordination session with its assignments (operators, viewers, its coordinator and participants).")
  Uni<TextResourceContents> session(String id, RequestUri uri) {
    return read(uri, () -> sessions.get(id));
  }

  @ResourceTemplate(name = "ares_agent", uriTemplate = "ares://agents/{id}", mimeType = "application/json",
      description = "An agent (operators, viewers and the agent itself).")
  Uni<TextResourceContents> agent(String id, RequestUri uri) {
    return read(uri, () -> agents.get(id));
  }

  private Uni<TextResourceContents> read(RequestUri uri, java.util.function.Supplier<Uni<?>> call) {
    return Uni.createFrom().deferred(call)
        .map(answer -> {
          try {
            return new TextResourceContents(uri.value(), mapper.writeValueAsString(answer), "application/json");
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
          }
        })
        .onFailure(t -> !(t instanceof McpException)).transform(t -> {
          Problem p = results.problem(t);
          return new McpException(p.code + ": " + p.detail,
              p.status == 404 ? JsonRpcErrorCodes.RESOURCE_NOT_FOUND : JsonRpcErrorCodes.INVALID_PARAMS);
        });
  }
}
