package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.operator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.testing.SettableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, finding 4: open registration was unlimited (354–432 agents/s from one client, ids kept for ever). Each
 * client address now registers at most ares.registration.per-address-per-minute agents a minute; other addresses are
 * not affected; behind a trusted proxy the forwarded address counts, and a forged X-Forwarded-For from an untrusted
 * peer does not.
 */
@QuarkusTest
@TestProfile(RegistrationLimitTest.Limited.class)
class RegistrationLimitTest {

  public static class Limited implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ares.registration.per-address-per-minute", "3",
          "ares.http.trusted-proxies", "127.0.0.1,::1",
          "quarkus.flyway.clean-at-start", "false");
    }
  }

  @Inject SettableClock clock;

  @AfterEach
  void reset() {
    clock.reset();
  }

  private static Response register(String forwardedFor) {
    var r = anonymous();
    if (forwardedFor != null) {
      r = r.header("X-Forwarded-For", forwardedFor);
    }
    return r.body(anAgent().body()).post("/api/v1/agents");
  }

  @Test
  void a_flood_from_one_address_is_refused_with_retry_after_and_registers_nothing() {
    clock.set(java.time.Instant.now());
    String flooder = "198.51.100.7";
    for (int i = 0; i < 3; i++) {
      register(flooder).then().statusCode(201);
    }
    long before = operator().get("/api/v1/agents").then().extract().jsonPath().getLong("total");
    Response refused = register(flooder);
    refused.then().statusCode(429).body("code", equalTo("RATE_LIMITED"));
    assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 60L);
    for (int i = 0; i < 5; i++) {
      register(flooder).then().statusCode(429);
    }
    assertThat(operator().get("/api/v1/agents").then().extract().jsonPath().getLong("total")).isEqualTo(before);
    // Another client is not affected; the flooder may register again once its quota refills.
    register("203.0.113.9").then().statusCode(201);
    clock.advance(Duration.ofSeconds(refused.getHeader("Retry-After") == null ? 60
        : Long.parseLong(refused.getHeader("Retry-After"))));
    register(flooder).then().statusCode(201);
  }

  @Test
  void a_client_cannot_escape_its_quota_by_forging_the_left_of_x_forwarded_for() {
    clock.set(java.time.Instant.now());
    String client = "198.51.100.77";
    for (int i = 0; i < 3; i++) {
      register("10.0.0." + i + ", " + client).then().statusCode(201);
    }
    // The proxy appends the real client last: whatever the client wrote before it is ignored.
    register("10.9.9.9, " + client).then().statusCode(429);
  }
}
