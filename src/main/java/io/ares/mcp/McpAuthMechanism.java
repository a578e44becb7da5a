package io.ares.mcp;

import io.ares.agent.AgentTokenMechanism;
import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Authentication on {@code /mcp} (selected for that path by {@code quarkus.http.auth.permission.mcp.auth-mechanism}):
 * the REST API's credentials, a bearer agent token (by {@link AgentTokenMechanism}, hence the same identity
 * provider) or HTTP Basic for operator and viewer accounts (the same identity provider as Basic on the API), and a
 * 401 challenge naming both. Without it the console's login form would answer an MCP client's missing credentials
 * with a redirect to its login page.
 */
@ApplicationScoped
public class McpAuthMechanism implements HttpAuthenticationMechanism {

  static final String SCHEME = "ares-mcp";

  @Inject AgentTokenMechanism bearer;

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
    if (!isMcp(context)) {
      return Uni.createFrom().nullItem(); // elsewhere the REST and console mechanisms authenticate, unchanged
    }
    String authorization = context.request().getHeader("Authorization");
    if (AgentTokenMechanism.bearer(authorization) != null) {
      return bearer.authenticate(context, identityProviderManager);
    }
    if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Uni.createFrom().nullItem();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException());
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException());
    }
    UsernamePasswordAuthenticationRequest request = new UsernamePasswordAuthenticationRequest(
        decoded.substring(0, colon), new PasswordCredential(decoded.substring(colon + 1).toCharArray()));
    HttpSecurityUtils.setRoutingContextAttribute(request, context);
    return identityProviderManager.authenticate(request);
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return isMcp(context)
        ? Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", McpChallenge.CHALLENGE))
        : Uni.createFrom().nullItem();
  }

  static boolean isMcp(RoutingContext rc) {
    String path = rc.normalizedPath();
    return path.equals("/mcp") || path.startsWith("/mcp/");
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(TokenAuthenticationRequest.class, UsernamePasswordAuthenticationRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, SCHEME));
  }
}
