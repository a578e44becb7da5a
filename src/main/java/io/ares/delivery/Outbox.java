package io.ares.delivery;

import io.ares.platform.AresConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes messages for agents inside the caller's transaction and wakes their long-polls and streams on every
 * replica through PostgreSQL NOTIFY (delivered when that transaction commits).
 */
@ApplicationScoped
public class Outbox {

  public static final String CHANNEL = "ares_messages";

  @Inject Clock clock;
  @Inject AresConfig config;

  /** Queues a message, due now. */
  public Uni<AgentMessage> enqueue(
      String agentId, UUID assignmentId, UUID sessionId, String type, Map<String, Object> payload, String idempotencyKey) {
    Instant now = clock.instant();
    AgentMessage m = new AgentMessage();
    m.agentId = agentId;
    m.assignmentId = assignmentId;
    m.sessionId = sessionId;
    m.type = type;
    m.payload = payload;
    m.open = true;
    m.dueAt = now;
    m.deliveries = 0;
    m.createdAt = now;
    m.idempotencyKey = idempotencyKey;
    return m.persist();
  }

  /** Closes the open messages of one type for an assignment (acked delegation, confirmed compensation, …). */
  public Uni<Integer> close(UUID assignmentId, String type) {
    return AgentMessage.update("open = false where assignmentId = ?1 and type = ?2 and open = true", assignmentId, type);
  }

  /** Agent ids joined by commas in NOTIFY payloads under PostgreSQL's 8000-byte limit (7000 characters of ids). */
  public static List<String> chunks(Collection<String> agentIds) {
    List<String> chunks = new java.util.ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (String id : new java.util.LinkedHashSet<>(agentIds)) {
      if (b.length() > 0 && b.length() + id.length() + 1 > 7000) {
        chunks.add(b.toString());
        b.setLength(0);
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(id);
    }
    if (b.length() > 0) {
      chunks.add(b.toString());
    }
    return chunks;
  }

  /** Marks an id in a NOTIFY payload as a revocation: the agent's token changed or it deregistered. */
  public static final String REVOKED = "!";

  /**
   * NOTIFY every instance that the agents' tokens no longer hold (rotated, deregistered): each forgets them and wakes
   * the agents' streams, which check their token again. Leaves PostgreSQL only if the transaction commits.
   */
  public Uni<Void> revoke(Collection<String> agentIds) {
    return wake(agentIds.stream().map(id -> REVOKED + id).toList());
  }

  /** NOTIFY the agents' waiters; the notification leaves PostgreSQL only if the transaction commits. */
  public Uni<Void> wake(Collection<String> agentIds) {
    if (agentIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<String> chunks = chunks(agentIds);
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (String chunk : chunks) {
      chain = chain.call(() -> Panache.getSession()
          .flatMap(s -> s.createNativeQuery("SELECT pg_notify('" + CHANNEL + "', :ids)")
              .setParameter("ids", chunk)
              .getSingleResult()));
    }
    return chain;
  }
}
