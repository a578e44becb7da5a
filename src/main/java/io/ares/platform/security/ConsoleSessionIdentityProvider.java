package io.ares.platform.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The identity of a live console session. The account must still exist with the role the session was opened for: a
 * user removed from the configuration, or whose role changed, is signed out.
 */
@ApplicationScoped
public class ConsoleSessionIdentityProvider implements IdentityProvider<ConsoleSessionRequest> {

  /** The identity attribute holding the {@link ConsoleSession}. */
  public static final String SESSION = "ares.console-session";

  @Inject OperatorAccounts accounts;

  @Override
  public Class<ConsoleSessionRequest> getRequestType() {
    return ConsoleSessionRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(ConsoleSessionRequest request, AuthenticationRequestContext context) {
    ConsoleSession s = request.session();
    String role = accounts.roleOf(s.user());
    if (role == null || !role.equals(s.role())) {
      return Uni.createFrom().failure(new AuthenticationFailedException());
    }
    return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
        .setPrincipal(new QuarkusPrincipal(s.user()))
        .addRole(role)
        .addAttribute(SESSION, s)
        .build());
  }
}
