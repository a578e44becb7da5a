package io.ares.testing;

import io.quarkus.test.common.PropertyTestUtil;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the packaged application with {@code quarkus.management.port=0}, so that its management interface
 * never collides with another build's test run on the same machine (the prod profile's 9000 would), and tells
 * the test which port the OS gave it. Every {@code @QuarkusIntegrationTest} carries it. Quarkus 3.33 publishes the actual management port to {@code @QuarkusTest}s only (as
 * {@code @TestHTTPResource(management = true)}); for an integration test it captures the main port alone,
 * from the start-up line. This reads the management port from the same line ("Management interface
 * listening on http://…:PORT"), which the launcher writes to its log file before it reports the start.
 */
public class RandomManagementPort implements QuarkusTestResourceLifecycleManager {

  private static final Pattern LISTENING = Pattern.compile("Management interface listening on https?://[^\\s]*:(\\d+)");

  @Override
  public Map<String, String> start() {
    return Map.of("quarkus.management.port", "0");
  }

  @Override
  public void stop() {}

  /** The packaged application's management port, as its start-up line reports it, if written yet. */
  public static Optional<Integer> actual() {
    Path log = PropertyTestUtil.getLogFilePath();
    if (!Files.isReadable(log)) {
      return Optional.empty();
    }
    try {
      Matcher m = LISTENING.matcher(Files.readString(log));
      Integer port = null;
      while (m.find()) {
        port = Integer.valueOf(m.group(1)); // the last start in the file is this one
      }
      return Optional.ofNullable(port);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
