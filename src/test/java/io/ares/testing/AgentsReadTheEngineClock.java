package io.ares.testing;

import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of test classes whose simulated agents stamp evidence with the engine's clock: each test starts at real
 * time (a previous test may have moved the clock) and the agents read that clock.
 */
public abstract class AgentsReadTheEngineClock {

  @Inject protected SettableClock clock;

  @BeforeEach
  void agentsReadTheEngineClock() {
    clock.reset();
    Sessions.now = clock::instant;
  }

  @AfterEach
  void backToRealTime() {
    Sessions.now = Instant::now;
  }
}
