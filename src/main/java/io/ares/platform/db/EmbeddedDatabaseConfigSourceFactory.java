package io.ares.platform.db;

import io.ares.platform.db.DatabaseChoice.Mode;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Decides, while the configuration is being built and so before Quarkus looks for a datasource, whether ARES needs
 * the embedded PostgreSQL (see {@link DatabaseChoice}), and if so adds a configuration source that starts it on the
 * first read of a datasource key and answers its URLs. Registered in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}: a factory sees what the other sources (system
 * properties, environment, application.properties with its profiles) already say, so "a configured URL always
 * wins" is a plain read. Quarkus builds its configuration when it decides on Dev Services (build time of dev mode
 * and tests) and again at start-up; both see the same server (see {@link EmbeddedPostgresServer}).
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

  static final String REACTIVE_URL = "quarkus.datasource.reactive.url";

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    Mode mode = mode(context.getProfiles(), LaunchMode.current());
    Optional<Boolean> embedded = value(context, "ares.embedded-db").map(v -> Boolean.parseBoolean(v.trim()));
    boolean devServices = !value(context, "quarkus.devservices.enabled").map("false"::equalsIgnoreCase).orElse(false)
        && !value(context, "quarkus.datasource.devservices.enabled").map("false"::equalsIgnoreCase).orElse(false);
    DatabaseChoice choice = DatabaseChoice.decide(
        mode,
        value(context, REACTIVE_URL).isPresent(),
        embedded,
        devServices,
        ContainerRuntime.found(),
        System.getenv("KUBERNETES_SERVICE_HOST") != null,
        building());
    switch (choice) {
      case EMBEDDED:
        return List.of(new EmbeddedDatabaseConfigSource(mode, dataDirectory(mode, value(context, "ares.embedded-db-dir"))));
      case REFUSE:
        throw new IllegalStateException(
            "No database configured: inside Kubernetes (KUBERNETES_SERVICE_HOST is set) ARES does not start an embedded "
                + "PostgreSQL, which would give every replica a private database. Set QUARKUS_DATASOURCE_REACTIVE_URL "
                + "(with QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD), or ARES_EMBEDDED_DB=true to run "
                + "one embedded database in this pod anyway.");
      default:
        return List.of();
    }
  }

  /** Orders this factory among factories only; the source it makes has its own ordinal (50: below every file). */
  @Override
  public OptionalInt getPriority() {
    return OptionalInt.of(50);
  }

  /** Quarkus' launch mode, or the profile while it is not yet set (a build sees NORMAL). */
  static Mode mode(List<String> profiles, LaunchMode launchMode) {
    if (launchMode == LaunchMode.TEST || profiles.contains("test")) {
      return Mode.TEST;
    }
    if (launchMode == LaunchMode.DEVELOPMENT || profiles.contains("dev")) {
      return Mode.DEV;
    }
    return Mode.PACKAGED;
  }

  /**
   * Where the data lives: {@code ares.embedded-db-dir} when set; else dev mode keeps it in {@code target/ares-dev-db}
   * (it survives restarts of dev mode, and {@code ./mvnw clean} resets it like any build output), the packaged
   * application in {@code ./ares-data} beside where it was started; tests use a throw-away folder (null).
   */
  static Path dataDirectory(Mode mode, Optional<String> configured) {
    if (configured.isPresent()) {
      return Path.of(configured.get());
    }
    switch (mode) {
      case DEV:
        return Path.of("target", "ares-dev-db");
      case PACKAGED:
        return Path.of("ares-data");
      default:
        return null;
    }
  }

  /** The packaged application's build reads its configuration too (prod profile): Quarkus' deployment classes say so. */
  static boolean building() {
    for (ClassLoader loader : new ClassLoader[] {
        Thread.currentThread().getContextClassLoader(), EmbeddedDatabaseConfigSourceFactory.class.getClassLoader()}) {
      try {
        Class.forName("io.quarkus.deployment.QuarkusAugmentor", false, loader);
        return true;
      } catch (ClassNotFoundException | LinkageError | NullPointerException e) {
        // not this loader
      }
    }
    return false;
  }

  private static Optional<String> value(ConfigSourceContext context, String name) {
    try {
      ConfigValue v = context.getValue(name);
      return Optional.ofNullable(v == null ? null : v.getValue()).filter(s -> !s.isBlank());
    } catch (RuntimeException e) {
      // e.g. an expression naming a key that is not set: treat as not configured
      return Optional.empty();
    }
  }

  /** A cheap look for Docker or Podman, the runtimes Dev Services can use (no daemon is contacted). */
  static final class ContainerRuntime {
    private ContainerRuntime() {}

    static boolean found() {
      if (notBlank(System.getenv("DOCKER_HOST"))) {
        return true;
      }
      String home = System.getProperty("user.home", "");
      String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
      List<Path> sockets = new java.util.ArrayList<>(List.of(
          Path.of("/var/run/docker.sock"),
          Path.of("/run/podman/podman.sock"),
          Path.of(home, ".docker", "run", "docker.sock"),
          Path.of(home, ".docker", "desktop", "docker.sock"),
          Path.of(home, ".rd", "docker.sock")));
      if (notBlank(runtimeDir)) {
        sockets.add(Path.of(runtimeDir, "docker.sock"));
        sockets.add(Path.of(runtimeDir, "podman", "podman.sock"));
      }
      if (sockets.stream().anyMatch(Files::exists)) {
        return true;
      }
      Path testcontainers = Path.of(home, ".testcontainers.properties");
      try {
        return Files.isReadable(testcontainers)
            && Files.readString(testcontainers).toLowerCase(Locale.ROOT).contains("docker.host");
      } catch (java.io.IOException e) {
        return false;
      }
    }

    private static boolean notBlank(String s) {
      return s != null && !s.isBlank();
    }
  }
}
