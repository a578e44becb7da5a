package io.ares.mcp;

import io.ares.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;

/** Who calls the MCP server, as tool visibility needs it: the roles, and whether an agent holds the coordinator grant. */
record McpCaller(boolean agent, boolean coordinator, boolean operator, boolean viewer) {

  static final McpCaller NOBODY = new McpCaller(false, false, false, false);

  static McpCaller of(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return NOBODY;
    }
    boolean agent = identity.hasRole(Roles.AGENT);
    return new McpCaller(agent, agent && Boolean.TRUE.equals(identity.getAttribute(CoordinatorGrant.ATTRIBUTE)),
        identity.hasRole(Roles.OPERATOR), identity.hasRole(Roles.VIEWER));
  }
}
