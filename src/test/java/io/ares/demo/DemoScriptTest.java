package io.ares.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ares.testing.SettableClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bench/demo.sh} — the README's walk-through, with a check after every step — with bash against this
 * test's application, so that the walk-through cannot drift from the API: any step answering differently fails the
 * script and this test. Skipped only where bash, curl or jq is missing.
 */
@QuarkusTest
class DemoScriptTest {

  static final Path SCRIPT = Path.of("bench", "demo.sh");

  @TestHTTPResource("/")
  URL base;

  @Inject SettableClock clock;

  @BeforeEach
  void realTime() {
    // the script stamps its evidence with the real time
    clock.reset();
  }

  static boolean installed(String tool) {
    try {
      return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void the_walk_through_runs_end_to_end() throws Exception {
    assumeTrue(installed("bash") && installed("curl") && installed("jq"), "bash, curl and jq are needed");
    Path log = Files.createTempFile("ares-demo", ".log");
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("ARES_URL", base.toString().replaceAll("/$", ""));
    pb.environment().put("ARES_OPERATOR", "admin:admin");
    Process process = pb.start();
    boolean finished = process.waitFor(3, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("the script finished within 3 minutes:\n%s", output).isTrue();
    assertThat(process.exitValue()).as("exit code; output:\n%s", output).isZero();
    assertThat(output).contains("session state = COMPLETED", "session state = ROLLED_BACK", "DEMO OK")
        .doesNotContain("\nFAIL ");
  }
}
