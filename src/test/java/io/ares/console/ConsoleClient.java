package io.ares.console;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A browser-like client of the console for RestAssured tests: a signed-in cookie (or Basic), the CSRF cookie. */
final class ConsoleClient {

  private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

  private final String user;
  private final String password;
  private final boolean basic;
  private final Map<String, String> cookies = new HashMap<>();
  private String csrf;

  private ConsoleClient(String user, String password, boolean basic) {
    this.user = user;
    this.password = password;
    this.basic = basic;
  }

  /** Signs in through the login form, as a browser does. */
  static ConsoleClient signIn(String user, String password) {
    ConsoleClient c = new ConsoleClient(user, password, false);
    Response login = given().redirects().follow(false).get("/console/login");
    c.keep(login);
    Response r = given().redirects().follow(false).cookies(c.cookies).contentType(ContentType.URLENC)
        .formParam("j_username", user).formParam("j_password", password).post("/j_security_check");
    if (r.statusCode() != 302 || r.getCookie("ares-session") == null) {
      throw new AssertionError("sign-in failed: " + r.statusCode() + " " + r.getHeader("Location"));
    }
    c.keep(r);
    return c;
  }

  static ConsoleClient operator() {
    return signIn("admin", "admin");
  }

  static ConsoleClient viewer() {
    return signIn("viewer", "viewer");
  }

  /** HTTP Basic on every request, as a script would. */
  static ConsoleClient basic(String user, String password) {
    return new ConsoleClient(user, password, true);
  }

  /** A request with the client's cookies or credentials; form values are URL-encoded by RestAssured. */
  RequestSpecification request() {
    RequestSpecification s = given().redirects().follow(false).cookies(cookies);
    return basic ? s.auth().preemptive().basic(user, password) : s;
  }

  /** GET of a path whose query is already URL-encoded (as the pages' links are). */
  Response get(String path) {
    RequestSpecification s = given().urlEncodingEnabled(false).redirects().follow(false).cookies(cookies);
    Response r = (basic ? s.auth().preemptive().basic(user, password) : s).get(path);
    keep(r);
    Matcher m = TOKEN.matcher(r.asString());
    if (m.find()) {
      csrf = m.group(1);
    }
    return r;
  }

  /** The page's HTML, after checking it answered 200. */
  String page(String path) {
    Response r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.asString());
    }
    return r.asString();
  }

  /** A form POST carrying the CSRF token of the last page (fetching the dashboard first when there is none). */
  Response post(String path, Map<String, String> form) {
    if (csrf == null) {
      get("/console");
    }
    Map<String, String> body = new HashMap<>(form);
    body.put("csrf-token", csrf);
    return postRaw(path, body);
  }

  /** A form POST exactly as given (no token added). */
  Response postRaw(String path, Map<String, String> form) {
    RequestSpecification s = request().contentType(ContentType.URLENC);
    form.forEach(s::formParam);
    Response r = s.post(path);
    keep(r);
    return r;
  }

  String csrfToken() {
    if (csrf == null) {
      get("/console");
    }
    return csrf;
  }

  Map<String, String> cookies() {
    return cookies;
  }

  private void keep(Response r) {
    r.getCookies().forEach((k, v) -> {
      if (v == null || v.isEmpty()) {
        cookies.remove(k);
      } else {
        cookies.put(k, v);
      }
    });
  }
}
