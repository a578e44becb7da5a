package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The console's signed-in session: form authentication checks the password once ({@link OperatorIdentityProvider})
 * and then presents the user name from its encrypted {@code ares-session} cookie as a trusted request. The account
 * must still exist with its role (a user removed from the configuration is signed out).
 */
@ApplicationScoped
public class OperatorSessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

  @Inject AresConfig config;

  @Override
  public Class<TrustedAuthenticationRequest> getRequestType() {
    return TrustedAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
    String role = roleOf(request.getPrincipal());
    if (role == null) {
      return Uni.createFrom().failure(new AuthenticationFailedException());
    }
    return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
        .setPrincipal(new QuarkusPrincipal(request.getPrincipal()))
        .addRole(role)
        .build());
  }

  String roleOf(String user) {
    if (user == null) {
      return null;
    }
    if (config.admin().password().isPresent() && user.equals(config.admin().user())) {
      return Roles.OPERATOR;
    }
    if (config.viewer().password().isPresent() && config.viewer().user().filter(user::equals).isPresent()) {
      return Roles.VIEWER;
    }
    return null;
  }
}
