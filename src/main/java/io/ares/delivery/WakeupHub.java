package io.ares.delivery;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * LISTEN on {@value Outbox#CHANNEL} over one dedicated connection; wakes the local long-polls and streams of the
 * agents named in each notification. Reconnects after an outage and then wakes every waiter (notifications sent
 * meanwhile are lost, so waiters re-read the outbox).
 */
@ApplicationScoped
public class WakeupHub {

  private static final Logger LOG = Logger.getLogger(WakeupHub.class);

  @Inject Vertx vertx;
  @Inject io.ares.agent.TokenCache tokens;

  @ConfigProperty(name = "quarkus.datasource.reactive.url")
  Optional<String> url;

  @ConfigProperty(name = "quarkus.datasource.username")
  Optional<String> user;

  @ConfigProperty(name = "quarkus.datasource.password")
  Optional<String> password;

  private final Map<String, Set<CompletableFuture<Boolean>>> waiters = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> generations = new ConcurrentHashMap<>();
  private PgSubscriber subscriber;

  void start(@Observes StartupEvent e) {
    if (url.isEmpty()) {
      LOG.warn("no reactive datasource URL: cross-replica wake-ups disabled");
      return;
    }
    String u = url.get().replaceFirst("^vertx-reactive:", "");
    PgConnectOptions options = PgConnectOptions.fromUri(u);
    user.ifPresent(options::setUser);
    password.ifPresent(options::setPassword);
    subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(retries -> 500L);
    // One channel object for both handlers (each channel() call answers a new one, and a subscribe handler set on
    // another one than the notification handler's was never called), the subscribe handler first: setting the
    // notification handler subscribes.
    var channel = subscriber.channel(Outbox.CHANNEL);
    channel.subscribeHandler(this::wakeAll);
    channel.handler(this::onNotification);
    connect();
  }

  /** The reconnect policy covers lost connections; a first connection that fails is retried here. */
  private void connect() {
    subscriber.connect().subscribe().with(
        v -> LOG.debug("listening for message wake-ups"),
        err -> {
          LOG.warnf("LISTEN connection failed (retrying in 1 s): %s", err.getMessage());
          vertx.setTimer(1000, t -> connect());
        });
  }

  void stop(@Observes ShutdownEvent e) {
    if (subscriber != null) {
      subscriber.closeAndAwait();
    }
  }

  /**
   * Marks the NOTIFY payloads of wake-ups this instance has already delivered to its own waiters
   * ({@link #wakeHereAndTag}): it skips them when they come back, other instances wake the agents named after it.
   */
  private final String origin = ORIGIN + java.util.UUID.randomUUID().toString().substring(0, 13);

  /** This instance's origin mark. */
  String origin() {
    return origin;
  }

  /** First character of a payload's origin mark (never the first of an agent id, nor {@link Outbox#REVOKED}). */
  static final String ORIGIN = "@";

  private void onNotification(String payload) {
    if (payload == null) {
      return;
    }
    String[] ids = payload.split(",");
    int from = 0;
    if (ids.length > 0 && ids[0].startsWith(ORIGIN)) {
      if (ids[0].equals(origin)) {
        return;
      }
      from = 1;
    }
    for (int i = from; i < ids.length; i++) {
      String agentId = ids[i];
      if (agentId.startsWith(Outbox.REVOKED)) {
        agentId = agentId.substring(Outbox.REVOKED.length());
        tokens.forgetAgent(agentId);
      }
      wake(agentId);
    }
  }

  /**
   * Wakes this instance's waiters of the agents at once (call it after the commit that gave them work), and answers
   * the NOTIFY payloads that wake the other instances' waiters: marked with this instance's origin, so that the
   * notification, when it comes back here, does not wake the same waiters a second time (each second wake-up would
   * cost a claim that finds nothing).
   */
  public List<String> wakeHereAndTag(java.util.Collection<String> agentIds) {
    agentIds.forEach(this::wake);
    return Outbox.chunks(agentIds).stream().map(chunk -> origin + "," + chunk).toList();
  }

  /** Wakes the local waiters of one agent. */
  public void wake(String agentId) {
    generations.computeIfAbsent(agentId, k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    Set<CompletableFuture<Boolean>> set = waiters.remove(agentId);
    if (set != null) {
      set.forEach(f -> f.complete(true));
    }
  }

  /**
   * Counts the LISTEN channel's (re)subscriptions; -1 before the first. What an instance concluded from the
   * notifications it received holds only within one subscription: those sent while the channel was down are lost.
   */
  private final java.util.concurrent.atomic.AtomicLong subscription = new java.util.concurrent.atomic.AtomicLong(-1);

  /** The current subscription (see {@link #subscription}); negative while none has been made. */
  public long subscription() {
    return subscription.get();
  }

  private void wakeAll() {
    subscription.incrementAndGet();
    // (Re)connected: revocations sent while the channel was down are lost, so forget every remembered token.
    tokens.forgetAll();
    waiters.keySet().forEach(this::wake);
  }

  /** A counter of wake-ups for the agent: read it before claiming, pass it to {@link #await}. */
  public long generation(String agentId) {
    java.util.concurrent.atomic.AtomicLong g = generations.get(agentId);
    return g == null ? 0 : g.get();
  }

  /**
   * Completes with true when a message for the agent may be waiting (a wake-up came after {@code seen}, read before
   * the caller's last claim, so none falls between the claim and the wait), false after {@code max}.
   */
  public Uni<Boolean> await(String agentId, Duration max, long seen) {
    return Uni.createFrom().deferred(() -> {
      CompletableFuture<Boolean> f = new CompletableFuture<>();
      // Resume on the caller's (duplicated) context: what follows may use Hibernate Reactive.
      io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
      waiters.computeIfAbsent(agentId, k -> ConcurrentHashMap.newKeySet()).add(f);
      if (generation(agentId) != seen) {
        f.complete(true);
      }
      long ms = Math.max(1, max.toMillis());
      long timer = vertx.setTimer(ms, id -> f.complete(false));
      return Uni.createFrom().completionStage(f)
          .emitOn(cmd -> {
            if (caller == null) {
              cmd.run();
            } else {
              caller.runOnContext(x -> cmd.run());
            }
          })
          .eventually(() -> {
        vertx.cancelTimer(timer);
        Set<CompletableFuture<Boolean>> set = waiters.get(agentId);
        if (set != null) {
          set.remove(f);
        }
      });
    });
  }
}
