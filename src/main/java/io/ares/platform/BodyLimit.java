package io.ares.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;

/**
 * Answers bodies larger than {@code ares.http.max-body} with a 413 problem+json before anything reads them.
 * (Quarkus' own limit, set to the same value, still guards chunked bodies without a Content-Length.)
 */
@ApplicationScoped
public class BodyLimit {

  @Inject AresConfig config;

  void install(@Observes Router router) {
    long max = parse(config.http().maxBody());
    router.route().order(-1000).handler(ctx -> {
      String len = ctx.request().getHeader("Content-Length");
      if (len != null) {
        long n;
        try {
          n = Long.parseLong(len.trim());
        } catch (NumberFormatException e) {
          n = -1;
        }
        if (n > max) {
          JsonObject problem = new JsonObject()
              .put("type", "https://ares.dev/problems/payload-too-large")
              .put("title", "Request Entity Too Large")
              .put("status", 413)
              .put("detail", "request body exceeds " + config.http().maxBody())
              .put("code", "PAYLOAD_TOO_LARGE");
          ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
              .putHeader("Connection", "close").end(problem.encode());
          return;
        }
      }
      // The API authenticates with the Authorization header only (HTTP Basic or a bearer token): no cookie is a
      // credential under /api (platform.security.ConsoleSessionMechanism acts on /console alone), so no browser can
      // be made to send an authenticated request there, whatever the body's type. A form-typed body sent to /api
      // (e.g. `curl -d ''` on a heartbeat, whose body is ignored) is therefore treated as opaque bytes, and JSON
      // endpoints answer it with 415. (The console's CSRF check, console.ConsoleCsrf, never depends on this.)
      String type = ctx.request().getHeader("Content-Type");
      if (type != null && ctx.request().path().startsWith("/api/")) {
        String t = type.toLowerCase(Locale.ROOT);
        if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data")
            || t.startsWith("text/plain")) {
          ctx.request().headers().set("Content-Type", "application/octet-stream");
        }
      }
      ctx.next();
    });
  }

  /** Parses sizes like 1M, 512K, 1048576. */
  public static long parse(String size) {
    String s = size.trim().toUpperCase(Locale.ROOT);
    long mult = 1;
    char last = s.charAt(s.length() - 1);
    if (last == 'K' || last == 'M' || last == 'G') {
      mult = last == 'K' ? 1024L : last == 'M' ? 1024L * 1024 : 1024L * 1024 * 1024;
      s = s.substring(0, s.length() - 1);
    }
    return Long.parseLong(s) * mult;
  }
}
