package io.ares.console;

import io.ares.platform.ClientAddress;
import io.ares.platform.security.ConsoleSessions;
import io.ares.platform.security.LoginGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The login form's target ({@code POST /j_security_check}, {@code j_username}, {@code j_password}): the password is
 * checked through {@link LoginGuard} (failures slowed per account and client address), then a new server-side
 * session is opened and its random id set in the {@code ares-session} cookie (HttpOnly, SameSite=Strict, Path=/,
 * Secure over TLS; no Max-Age: the server ends it). A session the browser already had is ended first, so a sign-in
 * never keeps an id someone else may have planted. Wrong credentials return to the login page with a message.
 */
@Path("/j_security_check")
@Tag(name = "console")
public class SignInResource {

  static final String LANDING = "/console";

  @Inject LoginGuard guard;
  @Inject ConsoleSessions sessions;
  @Inject ClientAddress addresses;

  @POST
  @PermitAll
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Console sign-in (the login form posts here)")
  public Uni<Response> signIn(@FormParam("j_username") String user, @FormParam("j_password") String password,
      @Context RoutingContext ctx) {
    if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
      return Uni.createFrom().item(failed());
    }
    return guard.check(user, password, addresses.of(ctx.request()), LoginGuard.FORM).chain(role -> {
      if (role == null) {
        return Uni.createFrom().item(failed());
      }
      Cookie old = ctx.request().getCookie(ConsoleSessions.COOKIE);
      Uni<Void> end = old == null ? Uni.createFrom().voidItem() : sessions.close(old.getValue());
      return end.chain(() -> sessions.open(user, role)).map(opened -> Response.status(302)
          .header("Location", LANDING)
          .cookie(new NewCookie.Builder(ConsoleSessions.COOKIE)
              .value(opened.cookieValue())
              .path("/")
              .httpOnly(true)
              .secure(ctx.request().isSSL())
              .sameSite(NewCookie.SameSite.STRICT)
              .build())
          .build());
    });
  }

  private static Response failed() {
    return Response.status(302).header("Location", ConsoleHeaders.LOGIN_ERROR).build();
  }
}
