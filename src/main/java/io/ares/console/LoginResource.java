package io.ares.console;

import io.ares.platform.security.ConsoleSessions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The sign-in page and sign-out. The form posts to {@link SignInResource} ({@code POST /j_security_check}); signing
 * out (a POST, whose CSRF token {@link ConsoleCsrf} has checked) deletes the session's row, so the cookie is refused
 * from then on by every replica, and clears the cookie in the browser.
 */
@Path("/console")
@Tag(name = "console")
public class LoginResource {

  static final String SESSION_COOKIE = ConsoleSessions.COOKIE;

  @Inject ConsoleSessions sessions;

  @GET
  @Path("login")
  @PermitAll
  @Produces(MediaType.TEXT_HTML)
  @Operation(summary = "Console sign-in page")
  public Uni<Response> login(@QueryParam("error") String error, @QueryParam("logout") String logout) {
    String message = error != null ? "Wrong user name or password." : null;
    String notice = logout != null ? "You are signed out." : null;
    return Html.render(ConsoleTemplates.login(message, notice));
  }

  @POST
  @Path("logout")
  @PermitAll
  @Operation(summary = "Sign out of the console (ends the session on the server and clears its cookie)")
  public Uni<Response> logout(@Context RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
    Uni<Void> end = cookie == null ? Uni.createFrom().voidItem() : sessions.close(cookie.getValue());
    return end.map(v -> signedOut());
  }

  private static Response signedOut() {
    NewCookie expired = new NewCookie.Builder(SESSION_COOKIE)
        .value("")
        .path("/")
        .maxAge(0)
        .expiry(new java.util.Date(0))
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .build();
    return Response.status(303).header("Location", "/console/login?logout=true").cookie(expired).build();
  }
}
