package io.ares.delivery;

import io.ares.platform.AresConfig;
import io.ares.platform.Transactions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Claims the messages due for an agent (everything not yet delivered or due for redelivery), marks them
 * delivered and schedules their redelivery, in one transaction; waits for new ones without holding a thread.
 */
@ApplicationScoped
public class DeliveryService {

  private static final int MAX_PER_ANSWER = 100;

  static final String CLAIM =
      "SELECT * FROM agent_message WHERE agent_id = :agent AND open AND due_at <= :now "
          + "AND NOT (type = 'compensation' AND deliveries >= :max) "
          + "ORDER BY message_id LIMIT " + MAX_PER_ANSWER + " FOR UPDATE SKIP LOCKED";

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject WakeupHub hub;
  @Inject Instance<DeliveryHook> hooks;
  @Inject io.vertx.core.Vertx vertx;

  /** The claimed messages and when the agent's next open message falls due (null: none). */
  public record Claim(List<MessageView> messages, Instant nextDueAt) {}

  /** Claims and delivers due messages; first deliveries of delegations move their assignments (via the hook). */
  public Uni<Claim> claim(String agentId) {
    return Transactions.retrying(vertx, () -> claimInTx(agentId));
  }

  @SuppressWarnings("unchecked")
  private Uni<Claim> claimInTx(String agentId) {
    Instant now = clock.instant();
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery(CLAIM, AgentMessage.class)
            .setParameter("agent", agentId)
            .setParameter("now", now)
            .setParameter("max", config.compensation().maxAttempts())
            .getResultList())
        .flatMap(list -> {
          List<AgentMessage> firstDelegations = new ArrayList<>();
          List<MessageView> views = new ArrayList<>();
          for (AgentMessage m : (List<AgentMessage>) list) {
            m.deliveries++;
            m.lastDeliveredAt = now;
            if (m.firstDeliveredAt == null) {
              m.firstDeliveredAt = now;
            }
            Instant deadline = null;
            switch (m.type) {
              case AgentMessage.DELEGATION -> {
                m.dueAt = now.plus(config.delivery().redeliverAfter());
                if (m.deliveries == 1) {
                  firstDelegations.add(m);
                }
                Object d = m.payload.get("deadline");
                deadline = d == null ? null : Instant.parse(d.toString());
              }
              case AgentMessage.COMPENSATION -> {
                deadline = now.plus(config.compensation().confirmTimeout());
                m.dueAt = deadline.plus(compensationBackoff(m.deliveries));
                if (m.deliveries >= config.compensation().maxAttempts()) {
                  // Last delivery: the monitor fails it once the confirmation window has passed.
                  m.dueAt = deadline;
                }
              }
              default -> m.open = false;
            }
            views.add(MessageView.of(m, deadline));
          }
          Uni<Void> hook = firstDelegations.isEmpty() || hooks.isUnsatisfied()
              ? Uni.createFrom().voidItem()
              : hooks.get().onFirstDelivery(firstDelegations);
          return hook.flatMap(v -> nextDue(agentId)).map(next -> new Claim(views, next));
        });
  }

  /** Backoff before redelivering an unconfirmed compensation: base × 2^(n-1), ±20 % jitter. */
  Duration compensationBackoff(int deliveries) {
    long base = config.compensation().backoff().toMillis();
    long ms = base * (1L << Math.min(20, Math.max(0, deliveries - 1)));
    double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
    return Duration.ofMillis(Math.round(ms * jitter));
  }

  private Uni<Instant> nextDue(String agentId) {
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT min(due_at) FROM agent_message WHERE agent_id = :agent AND open "
                    + "AND NOT (type = 'compensation' AND deliveries >= :max)", Object.class)
            .setParameter("agent", agentId)
            .setParameter("max", config.compensation().maxAttempts())
            .getSingleResultOrNull())
        .map(DeliveryService::toInstant);
  }

  private static Instant toInstant(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof Instant i) {
      return i;
    }
    if (o instanceof java.time.OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (o instanceof java.sql.Timestamp ts) {
      return ts.toInstant();
    }
    if (o instanceof java.time.LocalDateTime ldt) {
      return ldt.toInstant(java.time.ZoneOffset.UTC);
    }
    return Instant.parse(o.toString());
  }

  /**
   * Long-poll: answers at once with due messages, else waits (woken by NOTIFY, or when the next redelivery falls
   * due) up to {@code wait}, and answers {@code []} when nothing came.
   */
  public Uni<List<MessageView>> poll(String agentId, Duration wait) {
    long deadlineNanos = System.nanoTime() + wait.toNanos();
    long seen = hub.generation(agentId);
    return claim(agentId).flatMap(c -> waitLoop(agentId, c, deadlineNanos, seen));
  }

  private Uni<List<MessageView>> waitLoop(String agentId, Claim c, long deadlineNanos, long seen) {
    long remaining = deadlineNanos - System.nanoTime();
    if (!c.messages().isEmpty() || remaining <= 0) {
      return Uni.createFrom().item(c.messages());
    }
    Duration max = Duration.ofNanos(remaining);
    if (c.nextDueAt() != null) {
      Duration untilDue = Duration.between(clock.instant(), c.nextDueAt()).plusMillis(5);
      if (untilDue.compareTo(max) < 0) {
        max = untilDue.isNegative() ? Duration.ofMillis(5) : untilDue;
      }
    }
    return hub.await(agentId, max, seen).flatMap(woken -> {
      long now = hub.generation(agentId);
      return claim(agentId).flatMap(next -> waitLoop(agentId, next, deadlineNanos, now));
    });
  }
}
