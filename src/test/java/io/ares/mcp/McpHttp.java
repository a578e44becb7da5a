package io.ares.mcp;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An independent MCP client for tests: plain JSON-RPC 2.0 over HTTP POST, following the Streamable HTTP transport of
 * the MCP specification (revision 2025-06-18) by hand — initialize, the Mcp-Session-Id header on every later request,
 * notifications/initialized, then requests — with nothing of the server extension's own test client.
 */
final class McpHttp {

  static final String PROTOCOL = "2025-06-18";

  private final Supplier<RequestSpecification> credentials;
  private final AtomicInteger ids = new AtomicInteger();
  private String sessionId;

  private McpHttp(Supplier<RequestSpecification> credentials) {
    this.credentials = credentials;
  }

  /** A connected client: initialize answered, initialized notified. */
  static McpHttp connect(Supplier<RequestSpecification> credentials) {
    McpHttp c = new McpHttp(credentials);
    Response init = c.post(Map.of("jsonrpc", "2.0", "id", c.ids.incrementAndGet(), "method", "initialize",
        "params", Map.of("protocolVersion", PROTOCOL, "capabilities", Map.of(),
            "clientInfo", Map.of("name", "ares-test-client", "version", "1"))));
    init.then().statusCode(200);
    c.sessionId = init.header("Mcp-Session-Id");
    if (c.sessionId == null) {
      throw new AssertionError("initialize answered no Mcp-Session-Id: " + init.asString());
    }
    c.post(Map.of("jsonrpc", "2.0", "method", "notifications/initialized")).then().statusCode(202);
    return c;
  }

  static RequestSpecification bearer(String token) {
    return given().header("Authorization", "Bearer " + token);
  }

  /** A raw POST to /mcp with these credentials (and the session header once there is one). */
  Response post(Object message) {
    RequestSpecification r = credentials.get()
        .contentType(ContentType.JSON)
        .accept("application/json, text/event-stream")
        .header("MCP-Protocol-Version", PROTOCOL)
        .body(message);
    if (sessionId != null) {
      r.header("Mcp-Session-Id", sessionId);
    }
    return r.post("/mcp");
  }

  /** A request; answers the JSON-RPC response (from a JSON body, or from the SSE stream's message event). */
  JsonPath request(String method, Map<String, Object> params) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jsonrpc", "2.0");
    m.put("id", ids.incrementAndGet());
    m.put("method", method);
    m.put("params", params);
    Response r = post(m);
    r.then().statusCode(200);
    String body = r.asString();
    String ct = r.contentType() == null ? "" : r.contentType();
    if (ct.startsWith("text/event-stream")) {
      // The answer is the data of the stream's last event carrying a JSON-RPC response.
      String data = null;
      for (String line : body.split("\n")) {
        if (line.startsWith("data:")) {
          data = line.substring(5).trim();
        }
      }
      body = data;
    }
    return new JsonPath(body);
  }

  JsonPath callTool(String name, Map<String, Object> arguments) {
    return request("tools/call", Map.of("name", name, "arguments", arguments));
  }

  JsonPath listTools() {
    return request("tools/list", Map.of());
  }
}
