package io.ares.platform.db;

import io.ares.platform.db.DatabaseChoice.Mode;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Says, in one line of the application's log, that the embedded PostgreSQL is in use: a WARN for the packaged
 * application (it is for trying ARES, not for production), INFO in dev mode and tests. The server itself starts
 * while the configuration is built, before logging is set up, so the line is written here.
 */
@ApplicationScoped
public class EmbeddedDatabaseNotice {

  private static final Logger LOG = Logger.getLogger(EmbeddedDatabaseNotice.class);

  void onStart(@Observes StartupEvent event) {
    Mode mode = EmbeddedDatabaseConfigSourceFactory.mode(java.util.List.of(), LaunchMode.current());
    EmbeddedPostgresServer.notice(mode).ifPresent(notice -> {
      if (mode == Mode.PACKAGED) {
        LOG.warn(notice);
      } else {
        LOG.info(notice);
      }
    });
  }
}
