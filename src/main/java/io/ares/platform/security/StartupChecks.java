package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Refuses to start without an operator password, and says which database was chosen. */
@ApplicationScoped
public class StartupChecks {

  private static final Logger LOG = Logger.getLogger(StartupChecks.class);

  @Inject AresConfig config;

  @ConfigProperty(name = "quarkus.datasource.reactive.url")
  Optional<String> reactiveUrl;

  void onStart(@Observes StartupEvent event) {
    if (config.admin().password().filter(p -> !p.isBlank()).isEmpty()) {
      throw new ConfigurationException(
          "ARES_ADMIN_PASSWORD is not set: the operator account (ARES_ADMIN_USER, default 'admin') needs a password. "
              + "Set the environment variable ARES_ADMIN_PASSWORD and start again.");
    }
    String choice = System.getenv("ARES_DATABASE_CHOICE");
    if (choice != null) {
      LOG.infof("Database: %s", choice);
    } else {
      LOG.infof("Database: %s", reactiveUrl.map(u -> u.replaceAll("//[^@/]*@", "//")).orElse("(unknown)"));
    }
  }
}
