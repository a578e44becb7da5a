package io.ares.console;

import io.ares.platform.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/** The signed-in operator or viewer, as the pages show it. Only operators see and may use actions. */
@io.quarkus.qute.TemplateData
public record ConsoleUser(String name, String role, boolean operator, Caller caller) {

  /** The caller, who must be an operator or a viewer (else 403). */
  public static ConsoleUser of(SecurityIdentity identity) {
    Caller c = Caller.of(identity);
    c.requireStaff();
    return new ConsoleUser(c.name(), c.operator() ? "operator" : "viewer", c.operator(), c);
  }

  /** Actions are for operators: 403 otherwise, whatever the page showed. */
  public void requireOperator() {
    caller.requireOperator();
  }
}
