package io.ares.platform.db;

import io.ares.platform.db.DatabaseChoice.Mode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The datasource keys of the embedded PostgreSQL, answered only when nothing else configures them (ordinal 50, below
 * application.properties). The server starts on the first read of one of them, so a configuration that never asks
 * for a database starts none.
 */
final class EmbeddedDatabaseConfigSource implements ConfigSource {

  private static final Set<String> KEYS = Set.of(
      EmbeddedDatabaseConfigSourceFactory.REACTIVE_URL, "quarkus.datasource.jdbc.url", "quarkus.datasource.username");

  private final Mode mode;
  private final Path dataDirectory;
  private volatile Map<String, String> values;

  EmbeddedDatabaseConfigSource(Mode mode, Path dataDirectory) {
    this.mode = mode;
    this.dataDirectory = dataDirectory;
  }

  @Override
  public Set<String> getPropertyNames() {
    return KEYS;
  }

  @Override
  public String getValue(String propertyName) {
    if (!KEYS.contains(propertyName)) {
      return null;
    }
    Map<String, String> v = values;
    if (v == null) {
      int port = EmbeddedPostgresServer.start(mode, dataDirectory);
      v = Map.of(
          EmbeddedDatabaseConfigSourceFactory.REACTIVE_URL, "postgresql://localhost:" + port + "/postgres",
          "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
          "quarkus.datasource.username", EmbeddedPostgresServer.USER);
      values = v;
    }
    return v.get(propertyName);
  }

  @Override
  public int getOrdinal() {
    return 50;
  }

  @Override
  public String getName() {
    return "EmbeddedPostgreSQL";
  }
}
