package io.ares.console;

import io.ares.platform.security.ConsoleSessionMechanism;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Last touches on every console response, at the HTTP layer (so they also apply to answers produced by the
 * security layer before any resource runs):
 *
 * <ul>
 *   <li>pages are never cached (they show live state and, once, a new token), never framed, never sniffed;
 *   <li>a console request whose credentials were refused (a wrong HTTP Basic password: a bare 401 from the Basic
 *       mechanism) is sent to the login page like an anonymous one;
 *   <li>a poll from htmx whose sign-in has expired gets {@code HX-Redirect: /console/login} (htmx then navigates)
 *       instead of a redirect it would follow and paste into the page.
 * </ul>
 */
@ApplicationScoped
public class ConsoleHeaders {

  static final String LOGIN = "/console/login";
  static final String LOGIN_ERROR = "/console/login?error=true";

  void install(@Observes Router router) {
    router.route().order(-900).handler(this::handle);
  }

  void handle(RoutingContext ctx) {
    if (ConsoleSessionMechanism.consolePath(ctx.normalizedPath())) {
      boolean htmx = "true".equals(ctx.request().getHeader("HX-Request"));
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        response.putHeader("Cache-Control", "no-store");
        response.putHeader("X-Frame-Options", "DENY");
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("Referrer-Policy", "same-origin");
        if (response.getStatusCode() == 401) {
          response.setStatusCode(302);
          response.headers().remove("WWW-Authenticate");
          response.putHeader("Location", LOGIN);
        }
        String location = response.headers().get("Location");
        if (htmx && response.getStatusCode() == 302 && location != null && location.endsWith(LOGIN)) {
          response.setStatusCode(200);
          response.headers().remove("Location");
          response.putHeader("HX-Redirect", LOGIN);
        }
      });
    }
    ctx.next();
  }
}
