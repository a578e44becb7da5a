package io.ares.mcp;

import io.ares.agent.AgentService;
import io.ares.platform.security.Roles;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * Marks an agent's identity on an MCP request with whether it holds the coordinator grant, read when the request is
 * authenticated (one primary-key read by {@link AgentService#isCoordinator}), because tool visibility is decided by
 * synchronous filters that cannot read the database. Only {@code /mcp} requests pay the read, so that REST requests
 * and the agents' hot paths are unchanged; a grant given or revoked is seen by the next MCP request.
 */
@ApplicationScoped
public class CoordinatorGrant implements SecurityIdentityAugmentor {

  static final String ATTRIBUTE = "ares.coordinator";

  @Inject AgentService agents;

  @Override
  public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
    return Uni.createFrom().item(identity);
  }

  @Override
  public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
      Map<String, Object> attributes) {
    if (identity.isAnonymous() || !identity.hasRole(Roles.AGENT) || !isMcp(HttpSecurityUtils.getRoutingContextAttribute(attributes))) {
      return Uni.createFrom().item(identity);
    }
    return agents.isCoordinator(identity.getPrincipal().getName())
        .map(granted -> (SecurityIdentity) QuarkusSecurityIdentity.builder(identity).addAttribute(ATTRIBUTE, granted).build());
  }

  private static boolean isMcp(RoutingContext rc) {
    return rc != null && McpAuthMechanism.isMcp(rc);
  }
}
