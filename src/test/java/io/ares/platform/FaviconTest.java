package io.ares.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Browsers ask every page's origin for /favicon.ico: it is served, to anyone, instead of a 404 in every log. */
@QuarkusTest
class FaviconTest {

  @Test
  void the_favicon_is_served_without_signing_in() {
    byte[] icon = given().get("/favicon.ico").then().statusCode(200).extract().asByteArray();
    // an ICO file: reserved 0, type 1 (icon), at least one image
    assertThat(icon.length).isGreaterThan(6);
    assertThat(new byte[] {icon[0], icon[1], icon[2], icon[3]}).containsExactly(0, 0, 1, 0);
  }
}
