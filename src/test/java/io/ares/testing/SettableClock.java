package io.ares.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** The engine's clock in tests: starts at the real time, moves only when a test says so. */
@Alternative
@Priority(10)
@Singleton
public class SettableClock extends Clock {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

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
    return now.get();
  }

  public void advance(Duration d) {
    now.updateAndGet(i -> i.plus(d));
  }

  public void set(Instant i) {
    now.set(i);
  }

  /** Back to real time (each test class starts here). */
  public void reset() {
    now.set(Instant.now());
  }
}
