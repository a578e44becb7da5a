package io.ares.platform.security;

import io.ares.platform.ClientAddress;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * HTTP Basic for the operator and viewer accounts (the API and scripts reading the console). Every check goes
 * through {@link LoginGuard}, so failed guesses are slowed per (account, client address) like the console form's.
 */
@ApplicationScoped
public class OperatorIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

  @Inject LoginGuard guard;
  @Inject ClientAddress addresses;

  @Override
  public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
    return UsernamePasswordAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
    String user = request.getUsername();
    String password = new String(request.getPassword().getPassword());
    RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
    String address = http == null ? ClientAddress.UNKNOWN : addresses.of(http.request());
    return guard.check(user, password, address, LoginGuard.BASIC).map(role -> {
      if (role == null) {
        throw new AuthenticationFailedException();
      }
      return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user)).addRole(role).build();
    });
  }
}
