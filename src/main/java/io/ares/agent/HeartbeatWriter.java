package io.ares.agent;

import io.ares.platform.AresConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Group commit of signs of life. Every caller queues (agent id, token hash); one flusher at a time runs a
 * single {@code UPDATE … FROM unnest(…)} for everything queued, and each caller is answered after that
 * commit. Under load many heartbeats share one statement; when idle a heartbeat is written at once.
 * An UNRESPONSIVE agent is made ACTIVE again in the same statement, with its status event.
 */
@ApplicationScoped
public class HeartbeatWriter {

  private static final Logger LOG = Logger.getLogger(HeartbeatWriter.class);
  private static final int MAX_BATCH = 2000;

  static final String SQL =
      """
      WITH hb AS (
        SELECT agent_id, token_hash FROM unnest($1::text[], $2::bytea[]) AS h(agent_id, token_hash)
      ), prev AS (
        -- An index probe per queued id (primary key), never a scan; the lock order is the id order.
        SELECT a.agent_id, a.status AS old_status
        FROM agent a JOIN hb ON a.agent_id = hb.agent_id
        WHERE a.agent_id = ANY($1::text[])
          AND (hb.token_hash IS NULL OR hb.token_hash = a.token_hash) AND a.status <> 'DEREGISTERED'
        ORDER BY a.agent_id
        FOR UPDATE OF a SKIP LOCKED
      ), matched AS (
        -- Live agents whose token matched but whose row another transaction holds: tried again next batch.
        SELECT a.agent_id FROM agent a JOIN hb ON a.agent_id = hb.agent_id
        WHERE a.agent_id = ANY($1::text[])
          AND (hb.token_hash IS NULL OR hb.token_hash = a.token_hash) AND a.status <> 'DEREGISTERED'
      ), upd AS (
        UPDATE agent a SET
          last_heartbeat_at = $3,
          lease_expires_at = $3 + make_interval(secs => a.heartbeat_interval_seconds * $4::float8),
          status = CASE WHEN a.status = 'UNRESPONSIVE' THEN 'ACTIVE' ELSE a.status END,
          status_changed_at = CASE WHEN a.status = 'UNRESPONSIVE' THEN $3 ELSE a.status_changed_at END,
          version = a.version + CASE WHEN a.status = 'UNRESPONSIVE' THEN 1 ELSE 0 END
        FROM (SELECT DISTINCT agent_id, old_status FROM prev) prev WHERE a.agent_id = prev.agent_id
        RETURNING a.agent_id, a.status, a.lease_expires_at, a.token_hash, prev.old_status
      ), revived AS (
        INSERT INTO agent_status_event (agent_id, from_status, to_status, cause, actor, reason, at)
        SELECT agent_id, 'UNRESPONSIVE', 'ACTIVE', 'SIGN_OF_LIFE', agent_id, NULL, $3
        FROM upd WHERE old_status = 'UNRESPONSIVE'
      )
      SELECT upd.agent_id, upd.status, upd.lease_expires_at, upd.token_hash,
        (SELECT count(*) FROM agent_message m
          WHERE m.agent_id = upd.agent_id AND m.open AND m.due_at <= $3) AS pending
      FROM upd
      UNION ALL
      SELECT DISTINCT m.agent_id, NULL::varchar, NULL::timestamptz, NULL::bytea, -1::bigint FROM matched m
      WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.agent_id = m.agent_id)
      """;

  /** The outcome of one sign of life. */
  public record Beat(String agentId, AgentStatus status, Instant leaseExpiresAt, long pendingMessages) {}

  private record Waiter(String agentId, byte[] tokenHash, CompletableFuture<Beat> result) {}

  @Inject Pool pool;
  @Inject io.vertx.core.Vertx vertx;
  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject MeterRegistry registry;

  private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private Counter heartbeats;

  @PostConstruct
  void init() {
    heartbeats = Counter.builder("ares_heartbeats_total").description("Agent signs of life written").register(registry);
  }

  /**
   * Renews the lease of the agent. With a token hash the row must also carry that hash (the heartbeat's
   * own authentication); the answer is null when no live agent matched.
   */
  public Uni<Beat> beat(String agentId, byte[] tokenHash) {
    CompletableFuture<Beat> f = new CompletableFuture<>();
    queue.add(new Waiter(agentId, tokenHash, f));
    drain();
    // The batch completes on whichever request flushed it: resume each caller on its own context.
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    Uni<Beat> result = Uni.createFrom().completionStage(f);
    return caller == null ? result : result.emitOn(cmd -> caller.runOnContext(x -> cmd.run()));
  }

  private void drain() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    List<Waiter> batch = new ArrayList<>();
    Waiter w;
    while (batch.size() < MAX_BATCH && (w = queue.poll()) != null) {
      batch.add(w);
    }
    if (batch.isEmpty()) {
      flushing.set(false);
      if (!queue.isEmpty()) {
        drain();
      }
      return;
    }
    String[] ids = new String[batch.size()];
    Buffer[] hashes = new Buffer[batch.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = batch.get(i).agentId();
      hashes[i] = batch.get(i).tokenHash() == null ? null : Buffer.buffer(batch.get(i).tokenHash());
    }
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    pool.preparedQuery(SQL)
        .execute(Tuple.of(ids, hashes, now, config.heartbeat().tolerance()))
        .subscribe()
        .with(
            rows -> {
              Map<String, Beat> byId = new HashMap<>();
              Map<String, byte[]> tokenById = new HashMap<>();
              java.util.Set<String> busy = new java.util.HashSet<>();
              for (Row r : rows) {
                if (r.getLong("pending") < 0) {
                  busy.add(r.getString("agent_id"));
                  continue;
                }
                tokenById.put(r.getString("agent_id"), r.getBuffer("token_hash").getBytes());
                Beat b = new Beat(
                    r.getString("agent_id"),
                    AgentStatus.valueOf(r.getString("status")),
                    r.getOffsetDateTime("lease_expires_at").toInstant(),
                    r.getLong("pending"));
                byId.put(b.agentId(), b);
              }
              heartbeats.increment(byId.size());
              for (Waiter x : batch) {
                if (busy.contains(x.agentId()) && !byId.containsKey(x.agentId())) {
                  // Its row is held by a session transaction: try again shortly, without stalling this batch.
                  vertx.setTimer(2, t -> {
                    queue.add(x);
                    drain();
                  });
                  continue;
                }
                // A waiter is answered only if its own token matched (several may share one batch).
                boolean tokenOk = x.tokenHash() == null
                    || java.security.MessageDigest.isEqual(x.tokenHash(), tokenById.get(x.agentId()));
                x.result().complete(tokenOk ? byId.get(x.agentId()) : null);
              }
              flushing.set(false);
              drain();
            },
            err -> {
              LOG.warnf("heartbeat batch of %d failed: %s", batch.size(), err.getMessage());
              for (Waiter x : batch) {
                x.result().completeExceptionally(err);
              }
              flushing.set(false);
              drain();
            });
  }
}
