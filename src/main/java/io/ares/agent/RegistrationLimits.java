package io.ares.agent;

import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.limits.RateLimiter;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Open registration, bounded: without {@code ares.registration.secret} anyone may register, so each client address
 * may register at most {@code ares.registration.per-address-per-minute} agents a minute (429 with Retry-After beyond;
 * agent ids are never reused, so a flood would otherwise grow the registry for ever). Says at start-up that
 * registration is open. With a secret, registrants are trusted and not counted.
 */
@ApplicationScoped
public class RegistrationLimits {

  private static final Logger LOG = Logger.getLogger(RegistrationLimits.class);

  private final AresConfig config;
  private final RateLimiter perAddress;

  @Inject
  public RegistrationLimits(AresConfig config, Clock clock) {
    this.config = config;
    this.perAddress = RateLimiter.perMinute(config.registration().perAddressPerMinute(), clock);
  }

  void announce(@Observes StartupEvent event) {
    if (config.registration().secret().isEmpty()) {
      LOG.warnf("Agent registration is open (no ares.registration.secret): anyone who reaches the API may register "
          + "agents, at most %d a minute per client address (ares.registration.per-address-per-minute). Set "
          + "ARES_REGISTRATION_SECRET to require X-Registration-Secret.", config.registration().perAddressPerMinute());
    }
  }

  /** Counts one registration attempt of the client; 429 when its address spent its minute's quota. */
  public void admit(String clientAddress) {
    if (config.registration().secret().isPresent()) {
      return;
    }
    RateLimiter.Decision d = perAddress.tryAcquire(clientAddress);
    if (!d.allowed()) {
      throw ApiException.rateLimited("too many registrations from this address; registration is open, so each "
          + "address may register " + perAddress.capacity() + " agents a minute", d.retryAfter());
    }
  }
}
