package io.ares.console;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Last touches on every console response, at the HTTP layer (so they also apply to answers produced by the
 * security layer before any resource runs):
 *
 * <ul>
 *   <li>pages are never cached (they show live state and, once, a new token), never framed, never sniffed;
 *   <li>a poll from htmx whose sign-in has expired gets {@code HX-Redirect: /console/login} (htmx then navigates)
 *       instead of a redirect it would follow and paste into the page;
 *   <li>a failed form sign-in returns to the login page with a message: with several authentication mechanisms
 *       (agent bearer tokens, Basic, the form) the default challenge for {@code POST /j_security_check} would be a
 *       bare 401;
 *   <li>the console's CSRF cookie stays the console's: the CSRF filter runs for every REST resource and hands a new
 *       token to every safe request that comes without one, so each agent's poll would carry a {@code Set-Cookie}
 *       it has no use for (and that keeps shared caches from storing the answer). It is taken off every answer
 *       outside the console.
 * </ul>
 */
@ApplicationScoped
public class ConsoleHeaders {

  static final String LOGIN = "/console/login";
  static final String LOGIN_ERROR = "/console/login?error=true";

  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final String csrfCookie;

  ConsoleHeaders(@ConfigProperty(name = "quarkus.rest-csrf.cookie-name") String csrfCookieName) {
    this.csrfCookie = csrfCookieName;
  }

  void install(@Observes Router router) {
    router.route().order(-900).handler(this::handle);
  }

  void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    boolean console = path.equals("/console") || path.startsWith("/console/");
    boolean signIn = path.equals("/j_security_check") && ctx.request().method() == HttpMethod.POST;
    if (console || signIn) {
      boolean htmx = "true".equals(ctx.request().getHeader("HX-Request"));
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        if (signIn) {
          if (response.getStatusCode() == 401) {
            response.setStatusCode(302);
            response.headers().remove("WWW-Authenticate");
            response.putHeader("Location", LOGIN_ERROR);
          }
          return;
        }
        response.putHeader("Cache-Control", "no-store");
        response.putHeader("X-Frame-Options", "DENY");
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("Referrer-Policy", "same-origin");
        String location = response.headers().get("Location");
        if (htmx && response.getStatusCode() == 302 && location != null && location.endsWith(LOGIN)) {
          response.setStatusCode(200);
          response.headers().remove("Location");
          response.putHeader("HX-Redirect", LOGIN);
        }
      });
    } else if (SAFE.contains(ctx.request().method())) {
      // The filter hands out tokens on safe requests only. Vert.x writes the response's cookies after the
      // headers-end handlers: taken out of the jar here, the token is never sent.
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> response.removeCookie(csrfCookie, false));
    }
    ctx.next();
  }
}
