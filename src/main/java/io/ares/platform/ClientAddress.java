package io.ares.platform;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request comes from, for the limits that count per client address (registrations, sign-in throttling). The
 * peer's address, unless the peer is one of {@code ares.http.trusted-proxies}: then the right-most address of
 * {@code X-Forwarded-For} that is not itself a trusted proxy (the left part of that header is whatever the client
 * wrote, so it is never believed).
 */
@ApplicationScoped
public class ClientAddress {

  /** Counted against when a request has no peer address (never in practice). */
  public static final String UNKNOWN = "unknown";

  /** An address range: an IP address and how many leading bits must match. */
  record Range(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> trusted;

  @Inject
  public ClientAddress(AresConfig config) {
    this(config.http().trustedProxies().orElse(List.of()));
  }

  ClientAddress(List<String> proxies) {
    List<Range> ranges = new ArrayList<>();
    for (String p : proxies) {
      ranges.add(parseRange(p.trim()));
    }
    this.trusted = List.copyOf(ranges);
  }

  static Range parseRange(String spec) {
    int slash = spec.indexOf('/');
    byte[] ip = literal(slash < 0 ? spec : spec.substring(0, slash));
    if (ip == null) {
      throw new IllegalArgumentException("ares.http.trusted-proxies: not an IP address or CIDR range: " + spec);
    }
    int bits = slash < 0 ? ip.length * 8 : Integer.parseInt(spec.substring(slash + 1));
    if (bits < 0 || bits > ip.length * 8) {
      throw new IllegalArgumentException("ares.http.trusted-proxies: bad prefix length in " + spec);
    }
    return new Range(ip, bits);
  }

  /** The bytes of an IP literal, or null for anything else (never a DNS lookup). */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
      return null;
    }
    try {
      return InetAddress.getByName(s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s)
          .getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  boolean isTrusted(String address) {
    byte[] ip = literal(address);
    return ip != null && trusted.stream().anyMatch(r -> r.contains(ip));
  }

  /** The client's address for this request. */
  public String of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String address = peer == null || peer.hostAddress() == null ? UNKNOWN : peer.hostAddress();
    return resolve(address, request.getHeader("X-Forwarded-For"));
  }

  /** The client's address given the peer's and the X-Forwarded-For header (pure; see the class comment). */
  String resolve(String peer, String forwardedFor) {
    if (trusted.isEmpty() || forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (literal(hop) == null) {
        return peer; // garbage in the header: believe only the peer
      }
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return peer;
  }
}
