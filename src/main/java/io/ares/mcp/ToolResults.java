package io.ares.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.platform.ApiException;
import io.ares.platform.Problem;
import io.ares.platform.ProblemMappers;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Turns what a REST endpoint answers into an MCP tool result (SPEC §9): the answer's JSON, written by the same
 * ObjectMapper as the REST layer (snake_case, ISO instants), becomes {@code structuredContent} and, as text, the
 * content block; a REST array is wrapped under a name. A failure is mapped by the REST layer's own
 * {@link ProblemMappers} to its problem, which becomes an {@code isError: true} result carrying the problem JSON, so
 * a model reads the same {@code code}, {@code detail} and {@code errors} a REST client would.
 */
@ApplicationScoped
public class ToolResults {

  private static final ProblemMappers MAPPERS = new ProblemMappers();

  @Inject ObjectMapper mapper;

  /** A successful answer: the entity of a JAX-RS response or the answer itself. */
  public ToolResponse success(Object answer) {
    Object entity = answer instanceof Response r ? r.getEntity() : answer;
    JsonNode json = mapper.valueToTree(entity);
    return new ToolResponse(false, List.of(new TextContent(json.toString())), structured(json), null);
  }

  /** A REST array answer, wrapped as {@code {"<name>": [...]}}. */
  public ToolResponse wrapped(String name, Object list) {
    ObjectNode o = mapper.createObjectNode();
    o.set(name, mapper.valueToTree(list));
    return success(o);
  }

  /** A refusal (or failure) as the REST API would answer it, as a tool error with the problem JSON. */
  public ToolResponse failure(Throwable e) {
    Problem p = problem(e);
    JsonNode json = mapper.valueToTree(p);
    String text = p.code + " (" + p.status + "): " + p.detail + "\n" + json;
    return new ToolResponse(true, List.of(new TextContent(text)), structured(json), null);
  }

  /** The problem the REST layer answers for this failure. */
  public Problem problem(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApiException api) {
      return entity(MAPPERS.api(api));
    }
    if (t instanceof UnauthorizedException || t instanceof AuthenticationFailedException) {
      return new Problem(401, "UNAUTHORIZED", "missing or invalid credentials", null);
    }
    if (t instanceof ForbiddenException) {
      return entity(MAPPERS.forbidden((ForbiddenException) t));
    }
    if (t instanceof com.fasterxml.jackson.core.exc.StreamReadException s) {
      return entity(MAPPERS.parse(s));
    }
    if (t instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
      return entity(MAPPERS.invalidFormat(f));
    }
    if (t instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
      return entity(MAPPERS.mismatched(m));
    }
    if (t instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      return entity(MAPPERS.mapping(m));
    }
    if (t instanceof JsonProcessingException j) {
      return entity(MAPPERS.json(j));
    }
    if (t instanceof jakarta.persistence.OptimisticLockException o) {
      return entity(MAPPERS.optimisticLock(o));
    }
    if (t instanceof org.hibernate.StaleStateException s) {
      return entity(MAPPERS.stale(s));
    }
    if (t instanceof RuntimeException r) {
      return entity(MAPPERS.unexpected(r));
    }
    return entity(MAPPERS.unexpected(new RuntimeException(t)));
  }

  private static Problem entity(Response r) {
    return (Problem) r.getEntity();
  }

  /** Structured content must be a JSON object; the extension writes a Vert.x JsonObject as it is. */
  private static Object structured(JsonNode json) {
    return new JsonObject(json.toString());
  }
}
