package io.ares.platform.security;

import io.ares.platform.ApiException;
import io.quarkus.security.identity.SecurityIdentity;

/** Who is calling, and the access rules of SPEC §3 that depend only on that. Pure. */
public record Caller(String name, boolean agent, boolean operator, boolean viewer) {

  public static Caller of(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      throw ApiException.unauthorized("missing or invalid credentials");
    }
    return new Caller(
        identity.getPrincipal().getName(),
        identity.hasRole(Roles.AGENT),
        identity.hasRole(Roles.OPERATOR),
        identity.hasRole(Roles.VIEWER));
  }

  /** The name recorded as an actor in events ({@code operator:<user>} for accounts). */
  public String actor() {
    return agent ? name : (operator ? "operator:" : "viewer:") + name;
  }

  public boolean isAgent(String agentId) {
    return agent && name.equals(agentId);
  }

  /** Only this agent itself. */
  public void requireAgent(String agentId) {
    if (!isAgent(agentId)) {
      throw ApiException.forbidden("only agent " + agentId + " may do this");
    }
  }

  public void requireOperator() {
    if (!operator) {
      throw ApiException.forbidden("operator role required");
    }
  }

  /** The agent itself or an operator. */
  public void requireAgentOrOperator(String agentId) {
    if (!operator && !isAgent(agentId)) {
      throw ApiException.forbidden("only agent " + agentId + " or an operator may do this");
    }
  }

  /** The agent itself, an operator or a viewer. */
  public void requireAgentOrStaff(String agentId) {
    if (!operator && !viewer && !isAgent(agentId)) {
      throw ApiException.forbidden("only agent " + agentId + " or an operator/viewer may read this");
    }
  }

  public void requireStaff() {
    if (!operator && !viewer) {
      throw ApiException.forbidden("operator or viewer role required");
    }
  }
}
