package io.ares.mcp;

import io.quarkus.security.AuthenticationException;
import io.quarkus.security.UnauthorizedException;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every 401 on {@code /mcp} carries {@code WWW-Authenticate} (SPEC §9), naming the schemes the REST API takes. The
 * HTTP permission challenges a request without credentials itself, but a wrong bearer token or password fails the
 * request, and the MCP extension's failure handler answers it with 401 and a JSON-RPC error but no challenge. This
 * failure handler runs first and answers the same with the challenge.
 */
@ApplicationScoped
public class McpChallenge {

  static final String CHALLENGE = "Bearer realm=\"ares\", Basic realm=\"ares\"";

  void register(@Observes Router router) {
    router.route("/mcp*").order(Integer.MIN_VALUE).failureHandler(rc -> {
      Throwable failure = rc.failure();
      if (!(failure instanceof AuthenticationException || failure instanceof UnauthorizedException)
          || rc.response().headWritten()) {
        rc.next();
        return;
      }
      // Answered here, as the extension would (a JSON-RPC security error echoing the request's id), with the
      // challenge; handing on would reach the console's form challenge, a redirect to its login page.
      rc.response().setStatusCode(401)
          .putHeader("WWW-Authenticate", CHALLENGE)
          .putHeader("Content-Type", "application/json");
      if (!rc.request().isEnded()) {
        rc.request().resume();
      }
      rc.request().body().onComplete(ar -> {
        Object id = null;
        if (ar.succeeded() && ar.result() != null && ar.result().length() > 0) {
          try {
            Object parsed = ar.result().toJson();
            id = parsed instanceof JsonObject o ? o.getValue("id") : null;
          } catch (RuntimeException e) {
            id = null; // not JSON: the answer names no request
          }
        }
        rc.response().end(new JsonObject().put("jsonrpc", "2.0").put("id", id)
            .put("error", new JsonObject().put("code", JsonRpcErrorCodes.SECURITY_ERROR)
                .put("message", "missing or invalid credentials")).toBuffer());
      });
    });
  }
}
