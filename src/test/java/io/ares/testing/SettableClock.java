package io.ares.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The engine's clock in tests. By default it follows real time (plus whatever {@link #advance} added), so simulated
 * agents that stamp their evidence with the real time stay inside the engine's window; {@link #set} freezes it at an
 * instant for tests that assert exact timestamps; {@link #reset} goes back to real time.
 */
@Alternative
@Priority(10)
@Singleton
public class SettableClock extends Clock {

  private volatile Instant frozen;
  private volatile Duration offset = Duration.ZERO;

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    Instant f = frozen;
    return f != null ? f : Instant.now().plus(offset);
  }

  public synchronized void advance(Duration d) {
    if (frozen != null) {
      frozen = frozen.plus(d);
    } else {
      offset = offset.plus(d);
    }
  }

  /** Freezes the clock at an instant. */
  public synchronized void set(Instant i) {
    frozen = i;
  }

  /** Back to real time (each test resets it). */
  public synchronized void reset() {
    frozen = null;
    offset = Duration.ZERO;
  }
}
