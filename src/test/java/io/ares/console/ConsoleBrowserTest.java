package io.ares.console;

import static io.ares.testing.Api.anonymous;
import static io.ares.testing.Api.as;
import static io.ares.testing.Api.operator;
import static io.ares.testing.Sessions.aSession;
import static io.ares.testing.Sessions.evidence;
import static io.ares.testing.Sessions.poll;
import static io.ares.testing.Sessions.submit;
import static io.ares.testing.Sessions.takeDelegation;
import static io.ares.testing.Sessions.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ares.testing.Api.TestAgent;
import io.ares.testing.SettableClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through the system's chromedriver): an operator signs in, goes
 * from the dashboard to a running session in two clicks, cancels it (accepting htmx's confirmation) and sees the
 * state change; screenshots of the main pages go to {@code docs/screenshots/}. Skipped where chromedriver is not
 * installed.
 */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.OwnDatabase.class)
class ConsoleBrowserTest {

  /** Its own application start, hence a freshly migrated, empty database: the screenshots show only this fleet. */
  public static class OwnDatabase implements QuarkusTestProfile {}

  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** target/screenshots by default; {@code -Dares.screenshots=docs/screenshots} refreshes the README's images. */
  static final Path SHOTS = Path.of(System.getProperty("ares.screenshots", "target/screenshots"));
  static final int WIDTH = 1440;

  static ChromeDriver driver;
  static Path profile;

  @TestHTTPResource("/")
  URL base;

  @Inject SettableClock clock;

  static boolean browserInstalled() {
    return Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
  }

  @BeforeAll
  static void startBrowser() throws IOException {
    if (!browserInstalled()) {
      return; // each test is then skipped by its assumption (reported as skipped, the build stays green)
    }
    // Selenium Manager must not look for (or download) a driver: both binaries are given.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    profile = Files.createTempDirectory("ares-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + WIDTH + ",1000",
        "--hide-scrollbars", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @BeforeEach
  void agentsReadTheEngineClock() {
    assumeTrue(browserInstalled(), "no /usr/bin/chromedriver or /usr/bin/chromium: browser test skipped");
    clock.reset();
    io.ares.testing.Sessions.now = clock::instant;
  }

  @AfterEach
  void backToRealTime() {
    io.ares.testing.Sessions.now = Instant::now;
  }

  String url(String path) {
    return base.toString().replaceAll("/$", "") + path;
  }

  @Test
  void an_operator_goes_from_the_dashboard_to_a_running_session_cancels_it_and_sees_the_state_change()
      throws IOException {
    Fleet fleet = seed();

    // sign in with the form
    driver.get(url("/console/login"));
    driver.findElement(By.name("j_username")).sendKeys("admin");
    driver.findElement(By.name("j_password")).sendKeys("admin");
    driver.findElement(By.cssSelector("button[type=submit]")).click();
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.id("dashboard-live")));
    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
    // htmx is loaded from the web dependency locator and polls the live part
    wait(10).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return !!window.htmx")));
    shot("dashboard");

    // click 1: the IN_PROGRESS count; click 2: the session
    click(By.cssSelector("a[data-count='IN_PROGRESS']"));
    wait(10).until(ExpectedConditions.urlContains("/console/sessions?state=IN_PROGRESS"));
    click(By.cssSelector("a[href='/console/sessions/" + fleet.running + "']"));
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.id("session-state")));
    assertThat(stateShown()).isEqualTo("IN_PROGRESS");
    assertThat(driver.findElements(By.cssSelector("#sm-session g.state.current[data-state='IN_PROGRESS']")))
        .hasSize(1);

    // cancel, confirming in htmx's dialog
    driver.findElement(By.name("reason")).sendKeys("customer withdrew the request");
    driver.findElement(By.cssSelector("form[action$='/cancel'] button[type=submit]")).click();
    wait(10).until(ExpectedConditions.alertIsPresent()).accept();
    wait(15).until(ExpectedConditions.urlContains("done=cancelled"));
    wait(10).until(d -> !"IN_PROGRESS".equals(stateShown()));
    assertThat(stateShown()).isIn("COMPENSATING", "ROLLED_BACK");
    assertThat(driver.getPageSource()).contains("customer withdrew the request", "The session was cancelled");
    // root cause first: the cancel is named as one, with who and why, above the state bar
    String cause = driver.findElement(By.id("root-cause")).getText();
    assertThat(cause).startsWith("Cancelled:").contains("cancelled by operator:", "customer withdrew the request");
    assertThat(operator().get("/api/v1/sessions/" + fleet.running).then().extract().<String>path("state"))
        .isEqualTo(stateShown());

    // the remaining pages, for the README
    driver.get(url("/console/sessions"));
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.sessions")));
    shot("sessions");

    driver.get(url("/console/sessions/" + fleet.compensationFailed));
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.id("sm-assignment")));
    assertThat(stateShown()).isEqualTo("COMPENSATION_FAILED");
    shot("session-detail");

    driver.get(url("/console/agents"));
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.agents")));
    shot("agents");

    driver.get(url("/console/agents/" + fleet.cheater));
    wait(10).until(ExpectedConditions.presenceOfElementLocated(By.id("agent-status")));
    assertThat(driver.findElement(By.id("agent-status")).getText()).isEqualTo("QUARANTINED");
    shot("agent-detail");
  }

  String stateShown() {
    return retry(() -> driver.findElement(By.id("session-state")).getText());
  }

  /** Clicks an element, again if htmx swapped it out between finding and clicking. */
  void click(By by) {
    retry(() -> {
      WebElement e = wait(10).until(ExpectedConditions.elementToBeClickable(by));
      e.click();
      return null;
    });
  }

  static <T> T retry(Supplier<T> action) {
    for (int i = 0; ; i++) {
      try {
        return action.get();
      } catch (StaleElementReferenceException e) {
        if (i == 5) {
          throw e;
        }
      }
    }
  }

  WebDriverWait wait(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  /** A full-page screenshot: the window grows to the page's height first. */
  void shot(String name) throws IOException {
    long height = (Long) ((JavascriptExecutor) driver).executeScript(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
    driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(Math.max(height, 600), 6000)));
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    driver.manage().window().setSize(new Dimension(WIDTH, 1000));
  }

  // ------------------------------------------------------------------ a small fleet with a history

  record Fleet(String running, String compensationFailed, String cheater) {}

  static TestAgent agent(String id, String name, String... capabilities) {
    String token = anonymous().body(Map.of("agent_id", id, "name", name, "capabilities", List.of(capabilities),
            "heartbeat_interval_seconds", 30, "max_concurrent_tasks", 8, "metadata", Map.of("model", "demo")))
        .post("/api/v1/agents").then().statusCode(201).extract().path("token");
    TestAgent a = new TestAgent(id, token);
    as(a).post("/api/v1/agents/" + id + "/heartbeat").then().statusCode(200);
    return a;
  }

  /**
   * An hour of history, written with the engine's clock moved back: completed sessions every few minutes, a
   * rollback whose compensation succeeded, one whose compensation failed, an agent forging checksums and
   * quarantined for it; then, at the present time, fresh heartbeats and the session the operator will cancel.
   */
  Fleet seed() {
    Instant now = Instant.now();
    clock.set(now.minus(Duration.ofMinutes(58)));
    String s = Long.toString(System.nanoTime() % 100000, 36);
    TestAgent atlas = agent("atlas-" + s, "Atlas summariser", "summarise", "translate");
    TestAgent boreas = agent("boreas-" + s, "Boreas summariser", "summarise");
    TestAgent cygnus = agent("cygnus-" + s, "Cygnus reviewer", "summarise", "review");
    TestAgent draco = agent("draco-" + s, "Draco indexer", "index");
    TestAgent fenrir = agent("fenrir-" + s, "Fenrir (unreliable)", "summarise");
    List<TestAgent> honest = List.of(atlas, cygnus, boreas, draco);

    int[] perBucket = {2, 3, 1, 4, 3, 5, 2, 4, 6, 3, 4};
    String rolled = null;
    String failed = null;
    for (int b = 0; b < perBucket.length; b++) {
      clock.set(now.minus(Duration.ofMinutes(57 - 5L * b)));
      for (int i = 0; i < perBucket[b]; i++) {
        TestAgent a = honest.get((b + i) % honest.size());
        aSession().agents(a).criteria("quality_score", ">= 8.0").create();
        clock.advance(Duration.ofSeconds(20));
        work(a, Map.of("quality_score", 8.0 + (b + i) % 20 / 10.0));
        clock.advance(Duration.ofSeconds(25));
      }
      if (b == 3 || b == 7) {
        forge(fenrir);
      }
      if (b == 6) {
        // a rollback whose compensation succeeded
        rolled = aSession().agents(draco, cygnus).quorum(2).create().getString("session_id");
        work(draco, Map.of());
        clock.advance(Duration.ofSeconds(40));
        operator().body(Map.of("reason", "upstream data was wrong")).post("/api/v1/sessions/" + rolled + "/cancel")
            .then().statusCode(200);
        clock.advance(Duration.ofSeconds(5));
        compensate(draco, true, "index entries removed");
      }
      if (b == 9) {
        // a compensation that failed
        failed = aSession().agents(boreas, cygnus).quorum(2).criteria("quality_score", ">= 8.0").create()
            .getString("session_id");
        clock.advance(Duration.ofSeconds(30));
        work(boreas, Map.of("quality_score", 8.8));
        clock.advance(Duration.ofSeconds(50));
        operator().body(Map.of("reason", "duplicate request")).post("/api/v1/sessions/" + failed + "/cancel")
            .then().statusCode(200);
        clock.advance(Duration.ofSeconds(3));
        compensate(boreas, false, "could not delete the published summary: permission denied");
      }
      if (b == 10) {
        operator().body(Map.of("reason", "forged checksums in two sessions"))
            .post("/api/v1/agents/" + fenrir.id() + "/quarantine").then().statusCode(200);
      }
    }

    // the present: every agent alive, and the session the operator will cancel (delivered and acked: IN_PROGRESS)
    clock.reset();
    for (TestAgent a : List.of(atlas, boreas, cygnus, draco, fenrir)) {
      as(a).post("/api/v1/agents/" + a.id() + "/heartbeat").then().statusCode(200);
    }
    String running = aSession().agents(atlas).create().getString("session_id");
    Map<String, Object> m = takeDelegation(atlas);
    as(atlas).post("/api/v1/assignments/" + m.get("assignment_id") + "/ack").then().statusCode(200);
    return new Fleet(running, failed, fenrir.id());
  }

  /** A session whose evidence has a wrong checksum: REJECTED, a PROOF_VALIDATION_FAILED incident. */
  static void forge(TestAgent a) {
    aSession().agents(a).create();
    Map<String, Object> m = takeDelegation(a);
    Map<String, Object> bad = evidence((String) m.get("task_id"), "made-up result", Map.of("quality_score", 9.9));
    bad.put("checksum", "0".repeat(64));
    submit(a, (String) m.get("assignment_id"), bad);
  }

  static void compensate(TestAgent a, boolean ok, String detail) {
    Map<String, Object> order = poll(a).stream().filter(x -> "compensation".equals(x.get("type"))).findFirst()
        .orElseThrow(() -> new AssertionError("no compensation order for " + a.id()));
    as(a).body(Map.of("ok", ok, "detail", detail))
        .post("/api/v1/assignments/" + order.get("assignment_id") + "/compensated").then().statusCode(200);
  }
}
