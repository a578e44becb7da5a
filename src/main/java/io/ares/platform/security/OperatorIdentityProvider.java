package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.ares.platform.Hashing;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The operator and viewer accounts of SPEC §3, checked in constant time; used by HTTP Basic and the console form. */
@ApplicationScoped
public class OperatorIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

  @Inject AresConfig config;

  @Override
  public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
    return UsernamePasswordAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
    String user = request.getUsername();
    String password = new String(request.getPassword().getPassword());
    String role = roleFor(user, password);
    if (role == null) {
      return Uni.createFrom().failure(new AuthenticationFailedException());
    }
    return Uni.createFrom()
        .item(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user)).addRole(role).build());
  }

  String roleFor(String user, String password) {
    boolean adminOk = config.admin().password().isPresent()
        && Hashing.constantTimeEquals(user, config.admin().user())
        & Hashing.constantTimeEquals(password, config.admin().password().get());
    if (adminOk) {
      return Roles.OPERATOR;
    }
    if (config.viewer().user().isPresent() && config.viewer().password().isPresent()) {
      boolean viewerOk = Hashing.constantTimeEquals(user, config.viewer().user().get())
          & Hashing.constantTimeEquals(password, config.viewer().password().get());
      if (viewerOk) {
        return Roles.VIEWER;
      }
    }
    return null;
  }
}
