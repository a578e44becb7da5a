package io.ares.delivery;

import io.ares.platform.AresConfig;
import io.ares.platform.Transactions;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
      "SELECT message_id, assignment_id, session_id, type, payload::text AS payload, deliveries, idempotency_key "
          + "FROM agent_message WHERE agent_id = $1 AND open AND due_at <= $2 "
          + "AND NOT (type = 'compensation' AND deliveries >= $3) "
          + "ORDER BY message_id LIMIT " + MAX_PER_ANSWER + " FOR UPDATE SKIP LOCKED";

  static final String MARK_DELIVERED =
      "UPDATE agent_message m SET deliveries = v.deliveries, last_delivered_at = $2, "
          + "first_delivered_at = coalesce(m.first_delivered_at, $2), due_at = v.due_at, open = v.open "
          + "FROM unnest($1::bigint[], $3::int[], $4::timestamptz[], $5::boolean[]) AS v(id, deliveries, due_at, open) "
          + "WHERE m.message_id = v.id";

  static final String NEXT_DUE =
      "SELECT min(due_at) AS next FROM agent_message WHERE agent_id = $1 AND open "
          + "AND NOT (type = 'compensation' AND deliveries >= $2)";

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject WakeupHub hub;
  @Inject Instance<DeliveryHook> hooks;
  @Inject Pool pool;
  @Inject ObjectMapper json;

  /** The claimed messages and when the agent's next open message falls due (null: none). */
  public record Claim(List<MessageView> messages, Instant nextDueAt) {}

  /**
   * Claims and delivers due messages; first deliveries of delegations move their assignments (via the hook). A few
   * prepared statements on the reactive pool in one transaction, retried when it lost a race.
   */
  public Uni<Claim> claim(String agentId) {
    return Transactions.onPool(pool, conn -> claimIn(conn, agentId));
  }

  private Uni<Claim> claimIn(SqlConnection conn, String agentId) {
    Instant now = clock.instant();
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    int maxAttempts = config.compensation().maxAttempts();
    return conn.preparedQuery(CLAIM).execute(Tuple.of(agentId, at, maxAttempts)).flatMap(rows -> {
      if (rows.size() == 0) {
        return nextDue(conn, agentId).map(next -> new Claim(List.of(), next));
      }
      List<AgentMessage> firstDelegations = new ArrayList<>();
      List<MessageView> views = new ArrayList<>();
      Long[] ids = new Long[rows.size()];
      Integer[] deliveries = new Integer[ids.length];
      OffsetDateTime[] dues = new OffsetDateTime[ids.length];
      Boolean[] open = new Boolean[ids.length];
      int i = 0;
      for (Row r : rows) {
        AgentMessage m = fromRow(r, agentId);
        m.deliveries++;
        m.lastDeliveredAt = now;
        m.open = true;
        m.dueAt = now;
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
            if (m.deliveries >= maxAttempts) {
              // Last delivery: the monitor fails it once the confirmation window has passed.
              m.dueAt = deadline;
            }
          }
          default -> m.open = false;
        }
        ids[i] = m.messageId;
        deliveries[i] = m.deliveries;
        dues[i] = OffsetDateTime.ofInstant(m.dueAt, ZoneOffset.UTC);
        open[i] = m.open;
        i++;
        views.add(MessageView.of(m, deadline));
      }
      return conn.preparedQuery(MARK_DELIVERED).execute(Tuple.of(ids, at, deliveries, dues, open))
          .flatMap(x -> firstDelegations.isEmpty() || hooks.isUnsatisfied()
              ? Uni.createFrom().voidItem()
              : hooks.get().onFirstDelivery(conn, firstDelegations))
          .flatMap(x -> nextDue(conn, agentId))
          .map(next -> new Claim(views, next));
    });
  }

  @SuppressWarnings("unchecked")
  private AgentMessage fromRow(Row r, String agentId) {
    AgentMessage m = new AgentMessage();
    m.messageId = r.getLong("message_id");
    m.agentId = agentId;
    m.assignmentId = r.getUUID("assignment_id");
    m.sessionId = r.getUUID("session_id");
    m.type = r.getString("type");
    String payload = r.getString("payload");
    try {
      m.payload = payload == null ? new java.util.HashMap<>() : json.readValue(payload, java.util.Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable payload of message " + m.messageId, e);
    }
    m.deliveries = r.getInteger("deliveries");
    m.idempotencyKey = r.getString("idempotency_key");
    return m;
  }

  /** Backoff before redelivering an unconfirmed compensation: base × 2^(n-1), ±20 % jitter. */
  Duration compensationBackoff(int deliveries) {
    long base = config.compensation().backoff().toMillis();
    long ms = base * (1L << Math.min(20, Math.max(0, deliveries - 1)));
    double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
    return Duration.ofMillis(Math.round(ms * jitter));
  }

  private Uni<Instant> nextDue(SqlConnection conn, String agentId) {
    return conn.preparedQuery(NEXT_DUE).execute(Tuple.of(agentId, config.compensation().maxAttempts()))
        .map(rows -> {
          OffsetDateTime next = rows.iterator().next().getOffsetDateTime("next");
          return next == null ? null : next.toInstant();
        });
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
