package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.ares.platform.Hashing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The operator and viewer accounts of SPEC §3 (configuration only): password checks and roles. */
@ApplicationScoped
public class OperatorAccounts {

  @Inject AresConfig config;

  /** The role these credentials give, or null; compared in constant time. */
  public String roleFor(String user, String password) {
    if (user == null || password == null) {
      return null;
    }
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

  /** The role of an existing account, or null when no such account is configured (any more). */
  public String roleOf(String user) {
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
