package io.ares.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  @Test
  void without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
    ClientAddress a = new ClientAddress(List.of());
    assertThat(a.resolve("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
  }

  @Test
  void behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
    ClientAddress a = new ClientAddress(List.of("10.0.0.0/8", "192.168.1.5"));
    assertThat(a.resolve("10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
    // A client that forges the left part of the header cannot pick its own address.
    assertThat(a.resolve("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9")).isEqualTo("198.51.100.1");
    assertThat(a.resolve("192.168.1.5", "198.51.100.2")).isEqualTo("198.51.100.2");
    // A peer that is not a trusted proxy is believed alone.
    assertThat(a.resolve("192.168.1.6", "198.51.100.2")).isEqualTo("192.168.1.6");
    assertThat(a.resolve("10.1.2.3", "not-an-ip")).isEqualTo("10.1.2.3");
    assertThat(a.resolve("10.1.2.3", null)).isEqualTo("10.1.2.3");
  }

  @Test
  void ranges_match_by_prefix_for_both_families() {
    ClientAddress a = new ClientAddress(List.of("172.16.0.0/12", "fd00::/8"));
    assertThat(a.isTrusted("172.31.255.255")).isTrue();
    assertThat(a.isTrusted("172.32.0.1")).isFalse();
    assertThat(a.isTrusted("fd12::1")).isTrue();
    assertThat(a.isTrusted("fe80::1")).isFalse();
    assertThat(a.isTrusted("example.com")).isFalse();
    assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClientAddress(List.of("proxy.local"))).isInstanceOf(IllegalArgumentException.class);
  }
}
