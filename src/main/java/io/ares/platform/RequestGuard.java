package io.ares.platform;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Two refusals ahead of routing and security, for requests no honest client sends:
 *
 * <ul>
 *   <li>A path with a matrix parameter ({@code ;}) is 404. Nothing in ARES uses them, and the REST layer strips them
 *       while the security filters see the raw path: {@code /console;x=1/agents/a/grants} reached the console's
 *       actions without its CSRF check.
 *   <li>A write under {@code /api} authenticated by HTTP Basic that a browser marks as sent by another site
 *       ({@code Sec-Fetch-Site: cross-site|same-site}, or an {@code Origin} other than this host) is 403: a browser
 *       that once cached the operator's Basic credentials replays them on any site's form, so such a request is a
 *       cross-site request forgery, not an operator. Scripts and Swagger UI (same origin) are unaffected, and so are
 *       agents' bearer tokens, which browsers never add by themselves.
 * </ul>
 */
@ApplicationScoped
public class RequestGuard {

  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  void install(@Observes Router router) {
    router.route().order(-1001).handler(this::handle);
  }

  void handle(RoutingContext ctx) {
    String raw = ctx.request().path();
    if (raw != null && raw.indexOf(';') >= 0) {
      refuse(ctx, 404, "NOT_FOUND", "not found");
      return;
    }
    if (raw != null && raw.startsWith("/api/") && !SAFE.contains(ctx.request().method())
        && isBasic(ctx.request().getHeader("Authorization"))
        && crossSite(ctx.request().getHeader("Sec-Fetch-Site"), ctx.request().getHeader("Origin"),
            ctx.request().getHeader("Host"))) {
      refuse(ctx, 403, "FORBIDDEN", "a cross-site request cannot use HTTP Basic credentials on the API");
      return;
    }
    ctx.next();
  }

  static boolean isBasic(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
  }

  /** Whether a browser says the request comes from another site (pure). */
  static boolean crossSite(String fetchSite, String origin, String host) {
    if (fetchSite != null) {
      String f = fetchSite.trim().toLowerCase(Locale.ROOT);
      if (f.equals("cross-site") || f.equals("same-site")) {
        return true;
      }
      if (f.equals("same-origin") || f.equals("none")) {
        return false;
      }
    }
    if (origin == null || origin.isBlank()) {
      return false;
    }
    if (origin.trim().equals("null")) {
      return true; // sandboxed frames, data: URLs, redirects across origins
    }
    try {
      URI o = URI.create(origin.trim());
      String authority = o.getRawAuthority();
      return authority == null || host == null || !authority.equalsIgnoreCase(host.trim());
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static void refuse(RoutingContext ctx, int status, String code, String detail) {
    JsonObject problem = new JsonObject().put("type", "about:blank").put("title", code).put("status", status)
        .put("detail", detail).put("code", code);
    ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE).end(problem.encode());
  }
}
