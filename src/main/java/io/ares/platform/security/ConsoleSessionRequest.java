package io.ares.platform.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A console session found by its cookie, to be turned into an identity by {@link ConsoleSessionIdentityProvider}. */
public class ConsoleSessionRequest extends BaseAuthenticationRequest {

  private final ConsoleSession session;

  public ConsoleSessionRequest(ConsoleSession session) {
    this.session = session;
  }

  public ConsoleSession session() {
    return session;
  }
}
