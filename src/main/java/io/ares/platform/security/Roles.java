package io.ares.platform.security;

/** The three kinds of caller. */
public final class Roles {
  public static final String AGENT = "agent";
  public static final String OPERATOR = "operator";
  public static final String VIEWER = "viewer";

  private Roles() {}
}
