package io.ares.console;

import io.ares.platform.AresConfig;
import io.ares.platform.BodyLimit;
import io.ares.platform.Hashing;
import io.ares.platform.security.ConsoleSession;
import io.ares.platform.security.ConsoleSessionMechanism;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * The console's CSRF check, for every request under {@code /console} that is not GET, HEAD or OPTIONS, whatever its
 * content type (form-urlencoded, multipart, text/plain, JSON or none), before any resource runs.
 *
 * <p>The token is the signed-in session's own ({@link ConsoleSession#csrfToken()}, an HMAC of the session's random
 * id): bound to that session, new at every sign-in, stored nowhere. It is accepted in the header {@code X-CSRF-TOKEN}
 * or, for a form (urlencoded or multipart), in the field {@code csrf-token}. To read that field the body is read
 * here, up to {@code ares.http.max-body}; the resource then reads the same buffered body. Refusals:
 *
 * <ul>
 *   <li>a session and no token, or another one (a second session's, a forged one): 403, nothing runs;
 *   <li>no session but credentials in an {@code Authorization} header (HTTP Basic, which browsers replay on their
 *       own, or a bearer token): 403 — console actions need a signed-in session; scripts use the API;
 *   <li>no session and no credentials: passed on, and the security layer sends the visitor to the login page.
 * </ul>
 */
@ApplicationScoped
public class ConsoleCsrf {

  public static final String HEADER = "X-CSRF-TOKEN";
  public static final String FIELD = "csrf-token";

  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  @Inject ConsoleSessionMechanism mechanism;
  @Inject AresConfig config;

  void install(@Observes Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BodyLimit.parse(config.http().maxBody()));
    router.route().order(-860).handler(ctx -> {
      if (checked(ctx)) {
        body.handle(ctx);
      } else {
        ctx.next();
      }
    });
    router.route().order(-850).handler(this::check);
  }

  static boolean checked(RoutingContext ctx) {
    return !SAFE.contains(ctx.request().method()) && ConsoleSessionMechanism.consolePath(ctx.normalizedPath());
  }

  void check(RoutingContext ctx) {
    if (!checked(ctx)) {
      ctx.next();
      return;
    }
    mechanism.session(ctx).subscribe().with(session -> {
      if (session == null) {
        if (ctx.request().getHeader("Authorization") != null) {
          refuse(ctx, "Console actions need a console sign-in (scripts use the API).");
        } else {
          ctx.next();
        }
      } else if (Hashing.constantTimeEquals(sent(ctx), session.csrfToken())) {
        ctx.next();
      } else {
        refuse(ctx, "This form has expired or was not sent by this console. Reload the page and try again.");
      }
    }, ctx::fail);
  }

  /** The token sent with the request: the header, else the form field (urlencoded and multipart bodies). */
  static String sent(RoutingContext ctx) {
    String header = ctx.request().getHeader(HEADER);
    if (header != null) {
      return header;
    }
    return ctx.request().formAttributes().get(FIELD);
  }

  private static void refuse(RoutingContext ctx, String message) {
    ConsoleTemplates.error(null, 403, Html.title(403), message).createUni().subscribe().with(
        html -> ctx.response().setStatusCode(403).putHeader("Content-Type", Html.TYPE).end(html),
        ctx::fail);
  }
}
