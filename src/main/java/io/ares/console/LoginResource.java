package io.ares.console;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Sign-in and sign-out. The form posts to Quarkus' form authentication ({@code POST /j_security_check}), which sets
 * the encrypted {@code ares-session} cookie; signing out clears it (a POST with the CSRF token).
 */
@Path("/console")
@Tag(name = "console")
public class LoginResource {

  static final String SESSION_COOKIE = "ares-session";

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
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "Sign out of the console (clears the session cookie)")
  public Response logout() {
    NewCookie expired = new NewCookie.Builder(SESSION_COOKIE)
        .value("")
        .path("/")
        .maxAge(0)
        .expiry(new java.util.Date(0))
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .build();
    return Response.seeOther(URI.create("/console/login?logout=true")).cookie(expired).build();
  }
}
