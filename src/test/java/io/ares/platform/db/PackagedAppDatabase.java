package io.ares.platform.db;

import io.ares.platform.db.DatabaseChoice.Mode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Hands the test JVM's embedded PostgreSQL to the packaged application that a {@code @QuarkusIntegrationTest}
 * launches. The test JVM decides on its database as every test does (the embedded one on a bare machine), but
 * Quarkus passes only Dev Services' settings on to the jar it launches; without this the jar would start a second
 * embedded server with its data in the working directory. Does nothing when the database came from elsewhere (a
 * configured URL, Dev Services); for {@code @QuarkusTest} it repeats what the application already has.
 */
@SuppressWarnings("deprecation") // the global form of @WithTestResource
@QuarkusTestResource(value = PackagedAppDatabase.class, restrictToAnnotatedClass = false)
public class PackagedAppDatabase implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    if (EmbeddedPostgresServer.runningPort(Mode.TEST).isEmpty()) {
      // reading the URL starts the embedded server if this JVM's configuration chose it
      ConfigProvider.getConfig().getOptionalValue(EmbeddedDatabaseConfigSourceFactory.REACTIVE_URL, String.class);
    }
    return EmbeddedPostgresServer.runningPort(Mode.TEST)
        .map(port -> Map.of(
            EmbeddedDatabaseConfigSourceFactory.REACTIVE_URL, "postgresql://localhost:" + port + "/postgres",
            "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
            "quarkus.datasource.username", EmbeddedPostgresServer.USER))
        .orElse(Map.of());
  }

  @Override
  public void stop() {
    // the server stops with the JVM
  }
}
