package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every password check of the operator and viewer accounts (HTTP Basic and the console's sign-in form) goes through
 * here: {@link LoginThrottle} slows consecutive failures per (account, client address) without ever blocking a thread
 * (a Vert.x timer, then the caller's own context resumes), and each failure is counted in
 * {@code ares_auth_failures_total{mechanism}}.
 *
 * <p>User names that are no account share one key per address ({@code ?}), so an attacker cannot make the throttle
 * forget a real account's failures by trying many made-up names from one address.
 */
@ApplicationScoped
public class LoginGuard {

  public static final String BASIC = "basic";
  public static final String FORM = "form";

  /**
   * Attempts of one (account, address) that may wait for their turn; more are refused unchecked. One: a queue of
   * guesses would make a correct password wait behind every guess queued before it (64 × 10 s was a 7-minute lockout
   * of that address), while refusing the surplus at once bounds any attempt's wait by one delay.
   */
  static final int MAX_WAITING = 1;

  @Inject OperatorAccounts accounts;
  @Inject AresConfig config;
  @Inject Clock clock;
  @Inject MeterRegistry registry;
  @Inject Vertx vertx;

  LoginThrottle throttle;

  @PostConstruct
  void init() {
    throttle = new LoginThrottle(clock, (delay, action) -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> action.run()),
        config.auth().loginDelay(), config.auth().loginMaxDelay(), config.auth().loginThrottlePairs(), MAX_WAITING);
  }

  /** The role these credentials give (null: wrong), answered when this (account, address) pair's turn comes. */
  public Uni<String> check(String user, String password, String address, String mechanism) {
    AtomicReference<String> role = new AtomicReference<>();
    CompletableFuture<Boolean> outcome = throttle.attempt(key(user, address), () -> {
      role.set(accounts.roleFor(user, password));
      return role.get() != null;
    }).toCompletableFuture();
    Uni<Boolean> ok;
    if (outcome.isDone()) {
      ok = Uni.createFrom().item(outcome.join());
    } else {
      // Completed by the timer, possibly on another event loop: resume on the caller's context.
      Context caller = Vertx.currentContext();
      Executor back = caller != null ? r -> caller.runOnContext(v -> r.run()) : Runnable::run;
      ok = Uni.createFrom().completionStage(outcome).emitOn(back);
    }
    return ok.map(good -> {
      if (!good) {
        failures(mechanism).increment();
        return null;
      }
      return role.get();
    });
  }

  /** Consecutive failures remembered for this (user, address): what the next attempt's wait is computed from. */
  public int consecutiveFailures(String user, String address) {
    return throttle.failures(key(user, address));
  }

  /** How long an attempt of this (user, address) arriving now would wait for its turn (zero: checked at once). */
  public java.time.Duration waitFor(String user, String address) {
    return throttle.waitFor(key(user, address));
  }

  /** The throttle's key: the account (or {@code ?} for a name that is none) and the client address. */
  String key(String user, String address) {
    return (accounts.roleOf(user) != null ? user : "?") + "\n" + address;
  }

  private Counter failures(String mechanism) {
    return Counter.builder("ares_auth_failures_total")
        .description("Failed sign-ins of the operator and viewer accounts (HTTP Basic, console form)")
        .tag("mechanism", mechanism)
        .register(registry);
  }
}
