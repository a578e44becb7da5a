package io.ares.platform.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;

/**
 * The console's cookie, honoured under {@code /console} and nowhere else: on any other path (the whole {@code /api}
 * above all) this mechanism does nothing, so a cookie can never authenticate an API call, whatever its body or
 * content type; the API takes HTTP Basic and bearer tokens only. Anonymous console visitors are sent to the login
 * page.
 */
@ApplicationScoped
public class ConsoleSessionMechanism implements HttpAuthenticationMechanism {

  /** Routing-context key of the request's session lookup ({@code Optional<ConsoleSession>}), done once a request. */
  static final String LOOKUP = "ares.console-session-lookup";

  static final String LOGIN = "/console/login";

  @Inject ConsoleSessions sessions;

  /** Whether a (normalised) path is the console's: {@code /console} and below. */
  public static boolean consolePath(String path) {
    return path != null && (path.equals("/console") || path.startsWith("/console/"));
  }

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
    if (!consolePath(context.normalizedPath())) {
      return Uni.createFrom().nullItem();
    }
    return session(context).chain(s -> s == null
        ? Uni.createFrom().<SecurityIdentity>nullItem()
        : identityProviderManager.authenticate(
            HttpSecurityUtils.setRoutingContextAttribute(new ConsoleSessionRequest(s), context)));
  }

  /** The live console session of a request (null: none), read from the database once per request. */
  public Uni<ConsoleSession> session(RoutingContext context) {
    Optional<ConsoleSession> known = context.get(LOOKUP);
    if (known != null) {
      return Uni.createFrom().item(known.orElse(null));
    }
    Cookie cookie = context.request().getCookie(ConsoleSessions.COOKIE);
    Uni<ConsoleSession> found = cookie == null ? Uni.createFrom().nullItem() : sessions.find(cookie.getValue());
    return found.invoke(s -> context.put(LOOKUP, Optional.ofNullable(s)));
  }

  /** The session already looked up for this request, if any (for the forms' CSRF token). */
  public static ConsoleSession known(RoutingContext context) {
    Optional<ConsoleSession> known = context == null ? null : context.get(LOOKUP);
    return known == null ? null : known.orElse(null);
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    if (!consolePath(context.normalizedPath())) {
      return Uni.createFrom().nullItem();
    }
    return Uni.createFrom().item(new ChallengeData(302, "Location", LOGIN));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(ConsoleSessionRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE, ConsoleSessions.COOKIE));
  }

  /** Ahead of Basic and bearer, so that an anonymous console visitor is redirected to the login page. */
  @Override
  public int getPriority() {
    return DEFAULT_PRIORITY + 500;
  }
}
