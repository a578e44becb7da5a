package io.ares.agent;

import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.Hashing;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The agent registry: registration, tokens, status changes, listing. */
@ApplicationScoped
public class AgentService {

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject HeartbeatWriter heartbeats;
  @Inject Instance<AgentLifecycleListener> listeners;
  @Inject io.vertx.core.Vertx vertx;

  /** A new agent and its token (shown once). */
  public record Registered(Agent agent, String token) {}

  public static byte[] tokenHash(String token) {
    return Hashing.sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  public Instant leaseFrom(Instant signOfLife, int intervalSeconds) {
    long millis = Math.round(intervalSeconds * config.heartbeat().tolerance() * 1000.0);
    return signOfLife.plus(Duration.ofMillis(millis));
  }

  @WithTransaction
  public Uni<Registered> register(AgentRegistration request, String presentedSecret) {
    if (config.registration().secret().isPresent()
        && !Hashing.constantTimeEquals(presentedSecret, config.registration().secret().get())) {
      return Uni.createFrom().failure(ApiException.unauthorized("missing or wrong X-Registration-Secret"));
    }
    AgentRegistration.Valid v;
    try {
      v = request.validate();
    } catch (ApiException e) {
      return Uni.createFrom().failure(e);
    }
    if (v.coordinator() && config.registration().secret().isEmpty()) {
      // Open registration must not hand out the right to create work for other agents.
      return Uni.createFrom().failure(ApiException.forbidden(
          "the coordinator grant can be asked for at registration only when a registration secret is configured; "
              + "an operator grants it with PUT /api/v1/agents/{id}/grants"));
    }
    return Agent.<Agent>findById(v.agentId())
        .flatMap(existing -> {
          if (existing != null) {
            return Uni.createFrom().failure(ApiException.conflict(
                existing.status == AgentStatus.DEREGISTERED
                    ? "agent_id " + v.agentId() + " was used before and cannot be reused"
                    : "agent_id " + v.agentId() + " is taken"));
          }
          Instant now = clock.instant();
          String token = Hashing.newToken();
          Agent a = new Agent();
          a.agentId = v.agentId();
          a.name = v.name();
          a.capabilities = v.capabilities();
          a.heartbeatIntervalSeconds = v.heartbeatIntervalSeconds();
          a.maxConcurrentTasks = v.maxConcurrentTasks();
          a.proofRequirements = v.proofRequirements();
          a.metadata = v.metadata();
          a.status = AgentStatus.ACTIVE;
          a.tokenHash = tokenHash(token);
          a.registeredAt = now;
          a.lastHeartbeatAt = null;
          a.leaseExpiresAt = leaseFrom(now, a.heartbeatIntervalSeconds);
          a.reliabilityScore = Agent.INITIAL_SCORE;
          a.statusChangedAt = now;
          a.coordinator = v.coordinator();
          return a.<Agent>persist()
              .flatMap(saved -> recordStatus(saved, null, AgentStatus.ACTIVE, "REGISTERED", saved.agentId, null))
              .replaceWith(new Registered(a, token));
        });
  }

  @WithSession
  public Uni<Agent> get(String agentId) {
    if (agentId == null || !AgentRegistration.AGENT_ID.matcher(agentId).matches()) {
      // No such id can exist; never hand it to the database (a NUL byte there is an error, not a miss).
      return Uni.createFrom().failure(ApiException.notFound("agent " + agentId));
    }
    return Agent.<Agent>findById(agentId)
        .onItem().ifNull().failWith(() -> ApiException.notFound("agent " + agentId));
  }

  @WithSession
  public Uni<Page<Agent>> list(AgentStatus status, String capability, PageRequest page) {
    List<String> where = new ArrayList<>();
    Parameters params = new Parameters();
    if (status != null) {
      where.add("status = :status");
      params.and("status", status);
    }
    if (capability != null) {
      where.add("array_contains(capabilities, :cap)");
      params.and("cap", capability);
    }
    String q = where.isEmpty() ? "1 = 1" : String.join(" and ", where);
    var query = Agent.<Agent>find(q, Sort.by("registeredAt").and("agentId"), params);
    return query.page(page.page(), page.size()).list()
        .flatMap(items -> query.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
  }

  /** Rotates the token; retried on fresh rows when it lost a race against the engine's own writes. */
  public Uni<Registered> rotateToken(String agentId, String actor) {
    return io.ares.platform.Transactions.retrying(vertx, () -> get(agentId).flatMap(a -> {
      if (a.status == AgentStatus.DEREGISTERED) {
        return Uni.createFrom().failure(ApiException.conflict("agent " + agentId + " is deregistered"));
      }
      String token = Hashing.newToken();
      a.tokenHash = tokenHash(token);
      Uni<Void> told = Uni.createFrom().voidItem();
      for (AgentLifecycleListener l : listeners) {
        told = told.call(() -> l.onTokenRotated(a));
      }
      Uni<Void> tell = told;
      return recordStatus(a, a.status, a.status, "TOKEN_ROTATED", actor, null).call(() -> tell)
          .replaceWith(new Registered(a, token));
    }));
  }

  /**
   * Grants or revokes the coordinator grant (operator). Recorded in the agent's status history as
   * {@code COORDINATOR_GRANTED} / {@code COORDINATOR_REVOKED}; a call that changes nothing records nothing.
   */
  public Uni<Agent> setCoordinator(String agentId, boolean coordinator, String actor) {
    return io.ares.platform.Transactions.retrying(vertx, () -> get(agentId).flatMap(a -> {
      if (a.status == AgentStatus.DEREGISTERED) {
        return Uni.createFrom().failure(ApiException.conflict("agent " + agentId + " is deregistered"));
      }
      if (a.coordinator == coordinator) {
        return Uni.createFrom().item(a);
      }
      a.coordinator = coordinator;
      return recordStatus(a, a.status, a.status, coordinator ? "COORDINATOR_GRANTED" : "COORDINATOR_REVOKED",
          actor, null).replaceWith(a);
    }));
  }

  /**
   * Whether a live agent holds the coordinator grant: one primary-key read, in the caller's session. Read at each
   * session creation, so a revocation takes effect at once on every replica.
   */
  @WithSession
  public Uni<Boolean> isCoordinator(String agentId) {
    return Agent.<Agent>findById(agentId)
        .map(a -> a != null && a.coordinator && a.status != AgentStatus.DEREGISTERED);
  }

  /** Deregisters, ending the agent's open work in the same transaction; retried when it lost a race. */
  public Uni<Agent> deregister(String agentId, String actor) {
    return io.ares.platform.Transactions.retrying(vertx, () -> get(agentId).flatMap(a -> apply(a, AgentEvent.DEREGISTER, "DEREGISTERED", actor, null)
        .call(x -> {
          x.deregisteredAt = clock.instant();
          // Written now, not at commit: the row lock makes a concurrent reservation of this agent wait and then see
          // it DEREGISTERED, and a reservation that committed first is seen by the listeners' reads below.
          Uni<Void> chain = io.quarkus.hibernate.reactive.panache.Panache.getSession().flatMap(s -> s.flush());
          for (AgentLifecycleListener l : listeners) {
            chain = chain.call(() -> l.onDeregistered(x, actor));
          }
          return chain;
        })));
  }

  /** Operator quarantine (or automatic enforcement, called inside the caller's transaction). */
  public Uni<Agent> quarantineInTx(Agent a, String cause, String actor, String reason) {
    AgentStatus from = a.status;
    return apply(a, AgentEvent.ENFORCE, cause, actor, reason).call(x -> notifyStatus(x, from, cause));
  }

  /** Operator quarantine; retried on fresh rows when it lost a race against the engine's own writes. */
  public Uni<Agent> quarantine(String agentId, String actor, String reason) {
    return io.ares.platform.Transactions.retrying(vertx,
        () -> get(agentId).flatMap(a -> quarantineInTx(a, "MANUAL_QUARANTINE", actor, reason)));
  }

  /** Operator release; retried on fresh rows when it lost a race against the engine's own writes. */
  public Uni<Agent> release(String agentId, String actor, String reason) {
    return io.ares.platform.Transactions.retrying(vertx, () -> get(agentId).flatMap(a -> {
      AgentEvent e = a.status == AgentStatus.QUARANTINED && !a.leaseExpiresAt.isAfter(clock.instant())
          ? AgentEvent.RELEASE_LEASE_EXPIRED
          : AgentEvent.RELEASE;
      AgentStatus from = a.status;
      return apply(a, e, "RELEASED", actor, reason).call(x -> notifyStatus(x, from, "RELEASED"));
    }));
  }

  /** Applies one event through the table and appends the status event; runs in the caller's transaction. */
  public Uni<Agent> apply(Agent a, AgentEvent event, String cause, String actor, String reason) {
    AgentStatus from = a.status;
    AgentStatus to;
    try {
      to = AgentStatusMachine.TABLE.next(from, event);
    } catch (ApiException e) {
      return Uni.createFrom().failure(e);
    }
    a.status = to;
    a.statusChangedAt = clock.instant();
    return recordStatus(a, from, to, cause, actor, reason).replaceWith(a);
  }

  private Uni<Void> notifyStatus(Agent a, AgentStatus from, String cause) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (AgentLifecycleListener l : listeners) {
      chain = chain.call(() -> l.onStatusChanged(a, from, a.status, cause));
    }
    return chain;
  }

  private Uni<Void> recordStatus(Agent a, AgentStatus from, AgentStatus to, String cause, String actor, String reason) {
    AgentStatusEvent e = new AgentStatusEvent();
    e.agentId = a.agentId;
    e.fromStatus = from;
    e.toStatus = to;
    e.cause = cause;
    e.actor = actor;
    e.reason = reason;
    e.at = clock.instant();
    return e.persist().replaceWithVoid();
  }

  @WithSession
  public Uni<List<AgentStatusEvent>> statusHistory(String agentId, int limit) {
    return AgentStatusEvent.<AgentStatusEvent>find("agentId = ?1", Sort.descending("seq"), agentId)
        .page(0, limit).list();
  }

  /** A sign of life that is not a heartbeat (long-poll, stream frame): renews the lease (see {@link HeartbeatWriter#signOfLife}). */
  public Uni<Void> signOfLife(String agentId) {
    return heartbeats.signOfLife(agentId);
  }
}
