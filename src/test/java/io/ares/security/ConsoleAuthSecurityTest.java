package io.ares.security;

import static io.ares.testing.Api.anAgent;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ares.platform.security.LoginGuard;
import io.ares.testing.Api.TestAgent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's console and sign-in findings, each reproduced as the attacker did it and shown refused: the console's
 * cookie on the API (every body type), console posts without the session's CSRF token (every content type), a forged
 * cookie, a cookie copied before sign-out, and online password guessing (slowed per account and address, never a
 * lockout).
 */
@QuarkusTest
class ConsoleAuthSecurityTest extends io.ares.testing.AgentsReadTheEngineClock {

  private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]*)\"");

  @Inject LoginGuard guard;
  @Inject MeterRegistry registry;
  @Inject Pool pool;

  @TestHTTPResource("/")
  URL base;

  /** A browser signed in through the login form: its cookie and the CSRF token its pages carry. */
  record Browser(String cookie, String csrf) {
    RequestSpecification request() {
      return given().redirects().follow(false).cookie("ares-session", cookie);
    }
  }

  static Browser signIn(String user, String password) {
    Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
        .formParam("j_username", user).formParam("j_password", password).post("/j_security_check");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.getHeader("Location")).endsWith("/console");
    String cookie = r.getCookie("ares-session");
    assertThat(cookie).isNotBlank();
    String page = given().cookie("ares-session", cookie).get("/console").then().statusCode(200).extract().asString();
    Matcher m = TOKEN.matcher(page);
    assertThat(m.find()).isTrue();
    return new Browser(cookie, m.group(1));
  }

  // ---------------------------------------------------------------- finding 2: the cookie is no API credential

  @Test
  void the_console_cookie_never_authenticates_the_api_whatever_the_body() {
    TestAgent charlie = anAgent().register();
    Browser op = signIn("admin", "admin");
    String path = "/api/v1/agents/" + charlie.id() + "/token";
    List<RequestSpecification> bodies = List.of(
        op.request().contentType("text/plain").body("a=b"),
        op.request().contentType(ContentType.URLENC).formParam("a", "b"),
        op.request().multiPart("a", "b"),
        op.request().contentType(ContentType.JSON).body("{}"),
        op.request());
    for (RequestSpecification attempt : bodies) {
      Response r = attempt.post(path);
      assertThat(r.statusCode()).as(r.asString()).isEqualTo(401);
    }
    op.request().get("/api/v1/agents").then().statusCode(401);
    op.request().get("/api/v1/agents/" + charlie.id()).then().statusCode(401);
    // nothing changed: the agent's token still works
    as(charlie).post("/api/v1/agents/" + charlie.id() + "/heartbeat").then().statusCode(200);
    // while the same cookie still opens the console
    op.request().get("/console").then().statusCode(200);
  }

  @Test
  void the_session_cookie_is_http_only_strict_and_carries_only_a_random_id() {
    Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
        .formParam("j_username", "viewer").formParam("j_password", "viewer").post("/j_security_check");
    String setCookie = r.getHeader("Set-Cookie");
    assertThat(setCookie).startsWith("ares-session=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict")
        .contains("Path=/");
    String value = r.getCookie("ares-session");
    assertThat(value).hasSize(43).doesNotContain("viewer");
    // the database keeps its hash only
    long rows = pool.preparedQuery("SELECT count(*) FROM console_session WHERE id_hash = sha256(convert_to($1, 'UTF8'))")
        .execute(Tuple.of(value)).await().indefinitely().iterator().next().getLong(0);
    assertThat(rows).isEqualTo(1);
  }

  // ---------------------------------------------------------------- finding 2: CSRF on every console post

  @Test
  void a_console_post_without_this_sessions_token_is_refused_whatever_its_content_type() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    String path = "/console/sessions/" + id + "/cancel";
    Browser op = signIn("admin", "admin");
    Browser other = signIn("admin", "admin");
    assertThat(other.csrf()).isNotEqualTo(op.csrf()); // a new token at every sign-in

    List<String> tokens = java.util.Arrays.asList(null, "", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", other.csrf());
    List<BiFunction<RequestSpecification, String, RequestSpecification>> shapes = List.of(
        (s, t) -> t == null ? s.contentType(ContentType.URLENC).formParam("reason", "x").formParam("confirmed", "yes")
            : s.contentType(ContentType.URLENC).formParam("reason", "x").formParam("confirmed", "yes")
                .formParam("csrf-token", t),
        (s, t) -> t == null ? s.multiPart("reason", "x").multiPart("confirmed", "yes")
            : s.multiPart("reason", "x").multiPart("confirmed", "yes").multiPart("csrf-token", t),
        (s, t) -> s.contentType("text/plain").body("reason=x&confirmed=yes" + (t == null ? "" : "&csrf-token=" + t)),
        (s, t) -> s.contentType(ContentType.JSON)
            .body("{\"reason\":\"x\",\"confirmed\":\"yes\"" + (t == null ? "" : ",\"csrf-token\":\"" + t + "\"") + "}"),
        (s, t) -> t == null ? s : s.header("X-CSRF-TOKEN", t));
    for (String token : tokens) {
      for (int i = 0; i < shapes.size(); i++) {
        Response r = shapes.get(i).apply(op.request(), token).post(path);
        assertThat(r.statusCode()).as("shape %d, token %s", i, token).isEqualTo(403);
        assertThat(r.asString()).contains("Not allowed");
      }
    }
    // the same token in the header is not enough with another session's cookie either
    other.request().header("X-CSRF-TOKEN", op.csrf()).contentType(ContentType.URLENC).formParam("reason", "x")
        .formParam("confirmed", "yes").post(path).then().statusCode(403);
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("INITIALIZING"));
    // sign-out is a console post like the others
    op.request().contentType(ContentType.URLENC).formParam("csrf-token", other.csrf()).post("/console/logout")
        .then().statusCode(403);
    op.request().get("/console").then().statusCode(200);

    // with its own token, in the form or in the header, the action runs
    Response ok = op.request().header("X-CSRF-TOKEN", op.csrf()).contentType(ContentType.URLENC)
        .formParam("reason", "x").formParam("confirmed", "yes").post(path);
    assertThat(ok.statusCode()).isEqualTo(303);
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("ROLLED_BACK"));
  }

  @Test
  void http_basic_reads_the_console_but_cannot_post_to_it() {
    TestAgent a = anAgent().register();
    String id = aSession().agents(a).create().getString("session_id");
    // a browser replays cached Basic credentials on a cross-site form: no token could be checked, so no action
    Response r = given().redirects().follow(false).auth().preemptive().basic("admin", "admin")
        .contentType(ContentType.URLENC).formParam("reason", "x").formParam("confirmed", "yes")
        .post("/console/sessions/" + id + "/cancel");
    assertThat(r.statusCode()).isEqualTo(403);
    given().auth().preemptive().basic("admin", "admin").get("/console/sessions/" + id).then().statusCode(200);
    operator().get("/api/v1/sessions/" + id).then().body("state", equalTo("INITIALIZING"));
  }

  // ---------------------------------------------------------------- finding 3 and 7: forged cookies, sign-out

  @Test
  void a_forged_or_tampered_cookie_opens_nothing() {
    Browser op = signIn("admin", "admin");
    char last = op.cookie().charAt(42);
    String tampered = op.cookie().substring(0, 42) + (last == 'A' ? 'B' : 'A');
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    for (String cookie : List.of(tampered, forged, "admin", "operator:admin", "", op.cookie() + "A")) {
      Response r = given().redirects().follow(false).cookie("ares-session", cookie).get("/console");
      assertThat(r.statusCode()).as(cookie).isEqualTo(302);
      assertThat(r.getHeader("Location")).endsWith("/console/login");
    }
    // and a post with a forged cookie (and the real session's token) is sent to the login page, not run
    TestAgent a = anAgent().register();
    Response q = given().redirects().follow(false).cookie("ares-session", forged).contentType(ContentType.URLENC)
        .formParam("reason", "x").formParam("confirmed", "yes").formParam("csrf-token", op.csrf())
        .post("/console/agents/" + a.id() + "/quarantine");
    assertThat(q.statusCode()).isEqualTo(302);
    operator().get("/api/v1/agents/" + a.id()).then().body("status", equalTo("ACTIVE"));
  }

  @Test
  void after_sign_out_the_old_cookie_is_refused_everywhere() {
    Browser op = signIn("admin", "admin");
    Response out = op.request().contentType(ContentType.URLENC).formParam("csrf-token", op.csrf()).post("/console/logout");
    assertThat(out.statusCode()).isEqualTo(303);
    // the row is gone: every replica reads the same table on every request
    long rows = pool.preparedQuery("SELECT count(*) FROM console_session WHERE id_hash = sha256(convert_to($1, 'UTF8'))")
        .execute(Tuple.of(op.cookie())).await().indefinitely().iterator().next().getLong(0);
    assertThat(rows).isZero();
    Response page = op.request().get("/console");
    assertThat(page.statusCode()).isEqualTo(302);
    Response poll = op.request().header("HX-Request", "true").get("/console/fragments/dashboard");
    assertThat(poll.getHeader("HX-Redirect")).isEqualTo("/console/login");
    TestAgent a = anAgent().register();
    Response act = op.request().contentType(ContentType.URLENC).formParam("confirmed", "yes")
        .formParam("csrf-token", op.csrf()).post("/console/agents/" + a.id() + "/token");
    assertThat(act.statusCode()).isEqualTo(302);
    as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
  }

  // ---------------------------------------------------------------- finding 3: online guessing

  @Test
  void wrong_basic_passwords_are_counted_and_slowed_and_the_right_one_still_gets_in() throws IOException {
    String me = "127.0.0.1";
    double before = failures("basic");
    for (int i = 1; i <= 3; i++) {
      given().auth().preemptive().basic("admin", "guess-" + i).get("/api/v1/agents").then().statusCode(401);
      assertThat(guard.consecutiveFailures("admin", me)).isEqualTo(i);
    }
    assertThat(failures("basic") - before).isEqualTo(3.0);
    // the next attempt of (admin, this address) waits up to the rule's 400 ms ...
    assertThat(guard.waitFor("admin", me)).isPositive().isLessThanOrEqualTo(java.time.Duration.ofMillis(400));
    // ... while another address, and another account, are not slowed at all
    assertThat(guard.waitFor("admin", "127.0.0.2")).isZero();
    assertThat(guard.waitFor("viewer", me)).isZero();
    assertThat(rawGet("127.0.0.2", "/api/v1/agents", "admin", "admin")).isEqualTo(200);
    given().auth().preemptive().basic("viewer", "viewer").get("/api/v1/agents").then().statusCode(200);
    assertThat(guard.consecutiveFailures("admin", me)).isEqualTo(3);
    // the right password, after the wait, gets in and resets the pair
    given().auth().preemptive().basic("admin", "admin").get("/api/v1/agents").then().statusCode(200);
    assertThat(guard.consecutiveFailures("admin", me)).isZero();
    assertThat(guard.waitFor("admin", me)).isZero();
  }

  @Test
  void guesses_sent_in_parallel_are_never_checked_side_by_side() throws Exception {
    String me = "127.0.0.1";
    double before = failures("basic");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String guess = "parallel-" + i;
        answers.add(pool.submit(() -> given().auth().preemptive().basic("admin", guess).get("/api/v1/agents")
            .statusCode()));
      }
      for (var f : answers) {
        assertThat(f.get()).isEqualTo(401);
      }
    } finally {
      pool.shutdownNow();
    }
    // never checked side by side: one waits for its turn, a guess sent meanwhile is refused unchecked (so it is
    // not a failure of the pair's count), and every one is counted as a failed sign-in
    assertThat(guard.consecutiveFailures("admin", me)).isBetween(1, 4);
    assertThat(failures("basic") - before).isEqualTo(4.0);
    given().auth().preemptive().basic("admin", "admin").get("/api/v1/agents").then().statusCode(200);
    assertThat(guard.consecutiveFailures("admin", me)).isZero();
  }

  @Test
  void wrong_form_passwords_are_counted_and_slowed_and_the_right_one_signs_in() {
    String me = "127.0.0.1";
    double before = failures("form");
    for (int i = 1; i <= 2; i++) {
      Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
          .formParam("j_username", "viewer").formParam("j_password", "nope-" + i).post("/j_security_check");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.getHeader("Location")).endsWith("/console/login?error=true");
      assertThat(r.getCookie("ares-session")).isNull();
    }
    assertThat(failures("form") - before).isEqualTo(2.0);
    assertThat(guard.consecutiveFailures("viewer", me)).isEqualTo(2);
    // the operator is not locked out by the viewer's failures (nor is anyone, ever)
    signIn("admin", "admin");
    Browser viewer = signIn("viewer", "viewer");
    assertThat(viewer.cookie()).isNotBlank();
    assertThat(guard.consecutiveFailures("viewer", me)).isZero();
  }

  private double failures(String mechanism) {
    Counter c = registry.find("ares_auth_failures_total").tag("mechanism", mechanism).counter();
    return c == null ? 0 : c.count();
  }

  /** A GET sent from another loopback address (127.0.0.2), so that the server sees another client address. */
  private int rawGet(String from, String path, String user, String password) throws IOException {
    String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), base.getPort(), InetAddress.getByName(from), 0)) {
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      return Integer.parseInt(in.readLine().split(" ")[1]);
    }
  }
}
