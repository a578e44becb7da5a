package io.ares.console;

import io.ares.platform.security.ConsoleSession;
import io.ares.platform.security.ConsoleSessionMechanism;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The CSRF token the console's forms carry ({@code {inject:csrf.parameterName}} and {@code {inject:csrf.token}} in the
 * templates): the signed-in session's own, checked by {@link ConsoleCsrf}. Empty without a session (HTTP Basic
 * readers), whose posts are refused anyway.
 */
@Named("csrf")
@RequestScoped
public class CsrfToken {

  @Inject RoutingContext routing;

  public String getParameterName() {
    return ConsoleCsrf.FIELD;
  }

  public String getToken() {
    ConsoleSession s = ConsoleSessionMechanism.known(routing);
    return s == null ? "" : s.csrfToken();
  }
}
