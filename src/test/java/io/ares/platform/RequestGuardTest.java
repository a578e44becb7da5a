package io.ares.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestGuardTest {

  @Test
  void a_browser_request_from_another_site_is_cross_site() {
    assertThat(RequestGuard.crossSite("cross-site", null, "ares:8080")).isTrue();
    assertThat(RequestGuard.crossSite("same-site", "http://other.ares:8080", "ares:8080")).isTrue();
    assertThat(RequestGuard.crossSite(null, "http://evil.example", "ares:8080")).isTrue();
    assertThat(RequestGuard.crossSite(null, "http://ares:9999", "ares:8080")).isTrue();
    assertThat(RequestGuard.crossSite(null, "null", "ares:8080")).isTrue();
  }

  @Test
  void scripts_and_same_origin_pages_are_not() {
    assertThat(RequestGuard.crossSite(null, null, "ares:8080")).isFalse();
    assertThat(RequestGuard.crossSite("same-origin", "http://ares:8080", "ares:8080")).isFalse();
    assertThat(RequestGuard.crossSite(null, "http://ARES:8080", "ares:8080")).isFalse();
    assertThat(RequestGuard.crossSite("none", null, "ares:8080")).isFalse();
  }
}
