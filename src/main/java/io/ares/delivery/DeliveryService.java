package io.ares.delivery;

import io.ares.agent.AgentTokenIdentityProvider;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.GroupCommit;
import io.ares.platform.PipelinedTx;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Claims the messages due for an agent (everything not yet delivered or due for redelivery), marks them
 * delivered and schedules their redelivery, in one transaction; waits for new ones without holding a thread.
 */
@ApplicationScoped
public class DeliveryService {

  private static final int MAX_PER_ANSWER = 100;

  /** The most agents one claim statement serves (see {@link #claim}). */
  static final int MAX_AGENTS_PER_CLAIM = 64;

  /**
   * The whole claim as one statement, for every agent of {@code $1} at once: lock each agent's due messages
   * (skipping rows another claim holds), count the delivery and set each one's next due time (a delegation:
   * redelivery after {@code ares.delivery.redeliver-after}; a compensation order: its confirmation window, then the
   * backoff base × 2^(n−1) ±20 % unless it was the last attempt; anything else: closed), let the hook move first
   * deliveries, and answer the claimed messages, then one row per agent with its next due time, then (with a hook) one
   * row of the hook's figures. $1 agents, $2 now, $3 compensation max attempts, $4 redelivery (s), $5 confirmation
   * window (s), $6 backoff base (ms).
   */
  static final String CLAIM_HEAD =
      "WITH ag AS (SELECT DISTINCT x AS agent_id FROM unnest($1::varchar[]) AS x), "
          + "c AS (SELECT l.message_id FROM ag CROSS JOIN LATERAL (SELECT message_id FROM agent_message "
          + "WHERE agent_id = ag.agent_id AND open AND due_at <= $2::timestamptz "
          + "AND NOT (type = '" + AgentMessage.COMPENSATION + "' AND deliveries >= $3::int) "
          + "ORDER BY message_id LIMIT " + MAX_PER_ANSWER + " FOR UPDATE SKIP LOCKED) l), "
          + "d AS (UPDATE agent_message m SET deliveries = m.deliveries + 1, last_delivered_at = $2::timestamptz, "
          + "first_delivered_at = coalesce(m.first_delivered_at, $2::timestamptz), "
          + "open = m.type IN ('" + AgentMessage.DELEGATION + "', '" + AgentMessage.COMPENSATION + "'), "
          + "due_at = CASE WHEN m.type = '" + AgentMessage.DELEGATION + "' "
          + "THEN $2::timestamptz + make_interval(secs => $4::float8) "
          + "WHEN m.type = '" + AgentMessage.COMPENSATION + "' THEN $2::timestamptz + make_interval(secs => $5::float8) "
          + "+ CASE WHEN m.deliveries + 1 >= $3::int THEN interval '0' "
          + "ELSE make_interval(secs => $6::float8 * power(2, least(20, m.deliveries)) * (0.8 + random() * 0.4) / 1000.0) END "
          + "ELSE $2::timestamptz END "
          + "FROM c WHERE m.message_id = c.message_id "
          + "RETURNING m.agent_id, m.message_id, m.assignment_id, m.session_id, m.type, m.payload::text AS payload, "
          + "m.deliveries, m.idempotency_key, m.due_at, m.open), "
          + "first_delegations AS (SELECT assignment_id, session_id FROM d "
          + "WHERE type = '" + AgentMessage.DELEGATION + "' AND deliveries = 1)";

  /** What a claim answers: %1$s the hook's columns as NULLs, %2$s the hook's row (empty without a hook). */
  static final String CLAIM_TAIL =
      " SELECT * FROM (SELECT agent_id, message_id, assignment_id, session_id, type, payload, deliveries, "
          + "idempotency_key, NULL::timestamptz AS next_due%1$s FROM d ORDER BY agent_id, message_id) claimed "
          + "UNION ALL SELECT ag.agent_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
          + "least((SELECT min(x.due_at) FROM agent_message x WHERE x.agent_id = ag.agent_id AND x.open "
          + "AND NOT (x.type = '" + AgentMessage.COMPENSATION + "' AND x.deliveries >= $3::int) "
          + "AND x.message_id NOT IN (SELECT message_id FROM d)), "
          + "(SELECT min(y.due_at) FROM d y WHERE y.agent_id = ag.agent_id AND y.open "
          + "AND NOT (y.type = '" + AgentMessage.COMPENSATION + "' AND y.deliveries >= $3::int)))%1$s FROM ag%2$s";

  /** The claim of {@link #CLAIM_HEAD} and {@link #CLAIM_TAIL} with the hook's parts (none without a hook). */
  static String claimSql(DeliveryHook hook) {
    if (hook == null) {
      return CLAIM_HEAD + String.format(CLAIM_TAIL, "", "");
    }
    StringBuilder nulls = new StringBuilder();
    StringBuilder values = new StringBuilder();
    hook.resultColumns().forEach((name, expression) -> {
      nulls.append(", NULL::bigint AS ").append(name);
      values.append(", ").append(expression);
    });
    String row = " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL" + values;
    return CLAIM_HEAD + hook.firstDeliveryCtes() + String.format(CLAIM_TAIL, nulls, row);
  }

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject WakeupHub hub;
  @Inject Instance<DeliveryHook> hooks;
  @Inject Pool pool;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;
  @Inject ObjectMapper json;
  @Inject OpenChannels channels;
  @Inject AgentTokenIdentityProvider tokens;

  /** The claimed messages and when the agent's next open message falls due (null: none). */
  public record Claim(List<MessageView> messages, Instant nextDueAt) {}

  /**
   * Group claim: the claims that arrive while one is running are served together by the next statement (up to
   * {@link #MAX_AGENTS_PER_CLAIM} agents), so at load a claim's transaction, round trip and commit are shared by the
   * agents woken together (the three participants of a new session, say); alone, a claim runs at once.
   */
  private final GroupCommit<String, Claim> claims = new GroupCommit<>(MAX_AGENTS_PER_CLAIM, this::claimBatch);

  /**
   * Claims and delivers the agent's due messages; first deliveries of delegations move their assignments (via the
   * hook). Served with the claims of other agents that arrived meanwhile, by one statement in a transaction of its
   * own (pipelined with its BEGIN and COMMIT), retried when it lost a race.
   */
  public Uni<Claim> claim(String agentId) {
    return claims.submit(agentId);
  }

  private Uni<Void> claimBatch(List<GroupCommit.Entry<String, Claim>> batch) {
    DeliveryHook hook = hook();
    if (sql == null) {
      sql = claimSql(hook);
    }
    String[] agents = batch.stream().map(GroupCommit.Entry::item).distinct().toArray(String[]::new);
    Instant now = clock.instant();
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    Tuple args = Tuple.from(java.util.List.of(agents, at, config.compensation().maxAttempts(),
        (double) config.delivery().redeliverAfter().toMillis() / 1000.0,
        (double) config.compensation().confirmTimeout().toMillis() / 1000.0,
        (double) config.compensation().backoff().toMillis()));
    // BEGIN, the claim and COMMIT in one round trip; on its generic plan, which PostgreSQL otherwise re-planned on about
    // a quarter of the calls (1.2 ms each: the claim is the largest statement).
    String claim = sql;
    return PipelinedTx.run(pool, PipelinedTx.BEGIN_GENERIC_PLANS,
            (conn, tx) -> tx.commitWith(conn.preparedQuery(claim).execute(args)))
        .invoke(rows -> {
          Map<String, List<MessageView>> claimed = new HashMap<>();
          Map<String, Instant> next = new HashMap<>();
          for (Row r : rows) {
            String agentId = r.getString("agent_id");
            if (agentId == null) {
              hook.afterClaim(r); // the hook's row, only with a hook
            } else if (r.getValue("message_id") == null) {
              OffsetDateTime n = r.getOffsetDateTime("next_due");
              next.put(agentId, n == null ? null : n.toInstant());
            } else {
              claimed.computeIfAbsent(agentId, k -> new ArrayList<>()).add(view(r, agentId, now));
            }
          }
          java.util.Set<String> answered = new java.util.HashSet<>();
          for (GroupCommit.Entry<String, Claim> e : batch) {
            String agentId = e.item();
            // An agent asked twice in one batch: the second answer is what a claim right after the first finds.
            List<MessageView> mine = answered.add(agentId) ? claimed.getOrDefault(agentId, List.of()) : List.of();
            e.complete(new Claim(mine, next.get(agentId)));
          }
        })
        .replaceWithVoid();
  }

  private MessageView view(Row r, String agentId, Instant now) {
    AgentMessage m = fromRow(r, agentId);
    Instant deadline = null;
    if (AgentMessage.DELEGATION.equals(m.type)) {
      Object d = m.payload.get("deadline");
      deadline = d == null ? null : Instant.parse(d.toString());
    } else if (AgentMessage.COMPENSATION.equals(m.type)) {
      deadline = now.plus(config.compensation().confirmTimeout());
    }
    return MessageView.of(m, deadline);
  }

  private volatile String sql;

  private DeliveryHook hook() {
    return hooks.isUnsatisfied() ? null : hooks.get();
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

  /**
   * Long-poll: answers at once with due messages, else waits (woken by NOTIFY, or when the next redelivery falls
   * due) up to {@code wait}, and answers {@code []} when nothing came. The claim at the start and the one at the end
   * of the wait are left out when nothing can be due ({@link #nothingDue}).
   */
  public Uni<List<MessageView>> poll(String agentId, Duration wait) {
    return poll(agentId, wait, null);
  }

  /**
   * The same for a caller that authenticated with {@code token}: the poll is one of the agent's open channels (a
   * newer one beyond the limit ends it with {@code []}, see {@link OpenChannels}), and when it is woken its token is
   * checked again, so a rotation or a deregistration ends it with 401 on whichever replica holds it.
   */
  public Uni<List<MessageView>> poll(String agentId, Duration wait, String token) {
    CompletableFuture<Boolean> replaced = new CompletableFuture<>();
    OpenChannels.Channel channel = channels.open(agentId, () -> replaced.complete(true));
    return Uni.createFrom().deferred(() -> pollOpen(agentId, wait, new Waiting(token, replaced)))
        .eventually(channel::close);
  }

  /** What a poll's wait must watch besides new messages: its token, and a newer poll replacing it. */
  private record Waiting(String token, CompletableFuture<Boolean> replaced) {}

  private Uni<List<MessageView>> pollOpen(String agentId, Duration wait, Waiting w) {
    // An empty wait ends at a random point of its last tenth (at most 2 s early): a fleet that started together
    // would otherwise come back all at once every wait_seconds, and such a herd of polls delayed the wake-ups of the
    // agents that had work (sessions benchmark at 50 sessions/s, eighth session).
    long waitNanos = wait.toNanos();
    long spread = Math.min(waitNanos / 10, MAX_EARLY.toNanos());
    long deadlineNanos = System.nanoTime() + waitNanos
        - (spread > 0 ? java.util.concurrent.ThreadLocalRandom.current().nextLong(spread) : 0);
    long subscription = hub.subscription();
    long seen = hub.generation(agentId);
    Known k = nothingDue(agentId, seen, subscription);
    if (k != null) {
      // The next poll after an answer starts waiting without a claim.
      skipped.increment();
      return waitLoop(agentId, new Claim(List.of(), k.nextDueAt()), deadlineNanos, seen, w);
    }
    return claimKnowing(agentId, seen, subscription).flatMap(c -> waitLoop(agentId, c, deadlineNanos, seen, w));
  }

  /** Claims a poll did without, at its start or when its wait ended, because nothing could be due. */
  static final String CLAIMS_SKIPPED = "ares_delivery_claims_skipped_total";

  private io.micrometer.core.instrument.Counter skipped;

  @jakarta.annotation.PostConstruct
  void meters() {
    skipped = registry.counter(CLAIMS_SKIPPED);
    claims.measure(registry, "claim");
  }

  /**
   * What this instance's last claim for an agent found: the wake-up generation read before it, the LISTEN
   * subscription it ran under and when the agent's next open message falls due (null: none).
   */
  private record Known(long generation, long subscription, Instant nextDueAt, Instant trustedUntil) {}

  /** How much earlier than asked an empty long-poll may answer (see {@link #poll}). */
  static final Duration MAX_EARLY = Duration.ofSeconds(2);

  /**
   * How long what a claim found is trusted. Every message is written with its wake-up, but the NOTIFY of a creation
   * is sent after its commit and may fail (logged): the other instances' agents then find that work when this
   * expires, at the latest (a minute, the longest wait a poll may ask for).
   */
  static final Duration TRUSTED_FOR = Duration.ofSeconds(60);

  /**
   * Trust ends at a random point of the last {@code TRUSTED_SPREAD} of {@link #TRUSTED_FOR}, so that the agents of a
   * fleet that polled together do not all claim again in the same instant a minute later.
   */
  static final Duration TRUSTED_SPREAD = Duration.ofSeconds(15);

  private final java.util.Map<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * What this instance knows when nothing can be due for the agent: its last claim here, less than
   * {@link #TRUSTED_FOR} ago, found nothing due before {@code nextDueAt}, which is not reached, and no wake-up (a new
   * message anywhere) came since, within one LISTEN subscription. Null when a claim is needed.
   */
  private Known nothingDue(String agentId, long generation, long subscription) {
    Known k = known.get(agentId);
    Instant now = clock.instant();
    return k != null && k.generation() == generation && k.subscription() == subscription && subscription >= 0
        && (k.nextDueAt() == null || now.isBefore(k.nextDueAt())) && now.isBefore(k.trustedUntil())
        ? k : null;
  }

  /** A claim, remembered with the generation and subscription read before it. */
  private Uni<Claim> claimKnowing(String agentId, long generation, long subscription) {
    Instant at = clock.instant();
    Instant trustedUntil = at.plus(TRUSTED_FOR).minusMillis(
        java.util.concurrent.ThreadLocalRandom.current().nextLong(TRUSTED_SPREAD.toMillis()));
    return claim(agentId)
        .invoke(c -> known.put(agentId, new Known(generation, subscription, c.nextDueAt(), trustedUntil)));
  }

  private Uni<List<MessageView>> waitLoop(String agentId, Claim c, long deadlineNanos, long seen, Waiting w) {
    long remaining = deadlineNanos - System.nanoTime();
    if (!c.messages().isEmpty() || remaining <= 0 || w.replaced().isDone()) {
      return Uni.createFrom().item(c.messages());
    }
    Duration max = Duration.ofNanos(remaining);
    if (c.nextDueAt() != null) {
      Duration untilDue = Duration.between(clock.instant(), c.nextDueAt()).plusMillis(5);
      if (untilDue.compareTo(max) < 0) {
        max = untilDue.isNegative() ? Duration.ofMillis(5) : untilDue;
      }
    }
    // Only the wait itself is raced against the replacement: a claim in flight always completes and is answered.
    // A derived stage: when the wait wins, the race cancels this one, which must not mark the poll replaced.
    Uni<Boolean> replaced = Uni.createFrom().completionStage(() -> w.replaced().thenApply(x -> false));
    return Uni.combine().any().of(hub.await(agentId, max, seen), replaced).flatMap(woken -> {
      if (w.replaced().isDone()) {
        return Uni.createFrom().item(List.<MessageView>of());
      }
      return (woken && w.token() != null ? stillOpens(agentId, w.token()) : Uni.createFrom().voidItem())
          .flatMap(x -> {
            long subscription = hub.subscription();
            long now = hub.generation(agentId);
            if (!woken && nothingDue(agentId, now, subscription) != null) {
              // The wait ended with nothing new: answered without a last claim.
              skipped.increment();
              return Uni.createFrom().item(List.<MessageView>of());
            }
            return claimKnowing(agentId, now, subscription)
                .flatMap(next -> waitLoop(agentId, next, deadlineNanos, now, w));
          });
    });
  }

  /** Fails with 401 when the token no longer opens the agent (rotated, or the agent deregistered). */
  private Uni<Void> stillOpens(String agentId, String token) {
    return tokens.agentFor(token).map(owner -> {
      if (!agentId.equals(owner)) {
        throw ApiException.unauthorized("token rotated or agent deregistered");
      }
      return null;
    });
  }
}
