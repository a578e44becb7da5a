package io.ares.platform.security;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The client address a request is counted against (failed sign-ins today). One method on purpose: it is the peer's
 * IP address for now, and the place where trusted proxies' {@code X-Forwarded-For} will be believed.
 */
@ApplicationScoped
public class ClientAddresses {

  static final String UNKNOWN = "unknown";

  public String of(RoutingContext ctx) {
    SocketAddress peer = ctx.request().remoteAddress();
    return peer == null || peer.hostAddress() == null ? UNKNOWN : peer.hostAddress();
  }
}
