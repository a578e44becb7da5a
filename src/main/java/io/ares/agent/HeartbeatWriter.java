package io.ares.agent;

import io.ares.platform.AresConfig;
import io.ares.platform.GroupCommit;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Group commit of signs of life ({@link GroupCommit}). Every caller queues (agent id, token hash); one flush at a
 * time runs a single {@code UPDATE … FROM unnest(…)} for everything queued, and each caller is answered after that
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
        FOR NO KEY UPDATE OF a SKIP LOCKED
      ), matched AS (
        -- Live agents whose token matched but whose row another transaction holds: tried again next batch.
        SELECT a.agent_id FROM agent a JOIN hb ON a.agent_id = hb.agent_id
        WHERE a.agent_id = ANY($1::text[])
          AND (hb.token_hash IS NULL OR hb.token_hash = a.token_hash) AND a.status <> 'DEREGISTERED'
      ), upd AS (
        UPDATE agent a SET
          last_heartbeat_at = $3::timestamptz,
          lease_expires_at = $3::timestamptz + make_interval(secs => a.heartbeat_interval_seconds * $4::float8),
          status = CASE WHEN a.status = 'UNRESPONSIVE' THEN 'ACTIVE' ELSE a.status END,
          status_changed_at = CASE WHEN a.status = 'UNRESPONSIVE' THEN $3::timestamptz ELSE a.status_changed_at END,
          version = a.version + CASE WHEN a.status = 'UNRESPONSIVE' THEN 1 ELSE 0 END
        FROM (SELECT DISTINCT agent_id, old_status FROM prev) prev WHERE a.agent_id = prev.agent_id
        RETURNING a.agent_id, a.status, a.lease_expires_at, a.token_hash, prev.old_status
      ), revived AS (
        INSERT INTO agent_status_event (agent_id, from_status, to_status, cause, actor, reason, at)
        SELECT agent_id, 'UNRESPONSIVE', 'ACTIVE', 'SIGN_OF_LIFE', agent_id, NULL, $3::timestamptz
        FROM upd WHERE old_status = 'UNRESPONSIVE'
      )
      SELECT upd.agent_id, upd.status, upd.lease_expires_at, upd.token_hash,
        (SELECT count(*) FROM agent_message m
          WHERE m.agent_id = upd.agent_id AND m.open AND m.due_at <= $3::timestamptz) AS pending
      FROM upd
      UNION ALL
      SELECT DISTINCT m.agent_id, NULL::varchar, NULL::timestamptz, NULL::bytea, -1::bigint FROM matched m
      WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.agent_id = m.agent_id)
      """;

  /** The outcome of one sign of life. */
  public record Beat(String agentId, AgentStatus status, Instant leaseExpiresAt, long pendingMessages) {}

  private record Sign(String agentId, byte[] tokenHash) {}

  @Inject Pool pool;
  @Inject io.vertx.core.Vertx vertx;
  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject MeterRegistry registry;

  private final GroupCommit<Sign, Beat> commits = new GroupCommit<>(MAX_BATCH, this::write);

  /** The newest sign of life this instance wrote per agent: when (clock millis) and the lease it gave (millis). */
  private record Written(long atMillis, long leaseMillis) {}

  private static final int MAX_REMEMBERED = 100_000;
  private final Map<String, Written> lastWritten = new ConcurrentHashMap<>();
  /** Agents with a trailing sign-of-life write scheduled or being written. */
  private final java.util.Set<String> trailing = ConcurrentHashMap.newKeySet();

  private Counter heartbeats;
  private Counter skipped;

  @PostConstruct
  void init() {
    commits.measure(registry, "heartbeat");
    heartbeats = Counter.builder("ares_heartbeats_total").description("Agent signs of life written").register(registry);
    skipped = Counter.builder("ares_signs_of_life_coalesced_total")
        .description("Signs of life not written: the lease had been renewed moments before").register(registry);
  }

  /** Whether a trailing sign-of-life write for the agent is scheduled or being written (tests wait for it). */
  public boolean trailingWritePending(String agentId) {
    return trailing.contains(agentId);
  }

  /**
   * Renews the lease of the agent. With a token hash the row must also carry that hash (the heartbeat's
   * own authentication); the answer is null when no live agent matched.
   */
  public Uni<Beat> beat(String agentId, byte[] tokenHash) {
    return commits.submit(new Sign(agentId, tokenHash));
  }

  /**
   * A sign of life that is not a heartbeat (a long-poll opening or answering, a stream frame): renews the lease like
   * a heartbeat, unless this instance renewed it less than {@code ares.heartbeat.sign-of-life-coalesce} ago (and
   * less than a tenth of the agent's lease ago); then one trailing write at the end of that period renews it from
   * there. The stored lease is so at most one period behind the skipped sign's for at most one period, long before
   * it could expire: no status depends on a skipped write.
   * An agent at work signs several times a second; each write is a new version of its row (the lease is indexed for
   * the monitor), which every later read of the row walks past until it is vacuumed.
   */
  public Uni<Void> signOfLife(String agentId) {
    Written w = lastWritten.get(agentId);
    if (w != null) {
      long since = clock.millis() - w.atMillis();
      long step = Math.min(config.heartbeat().signOfLifeCoalesce().toMillis(), w.leaseMillis() / 10);
      if (since >= 0 && since < step) {
        skipped.increment();
        // A trailing write when the period ends renews the lease from then, so the stored lease is never shorter
        // than the skipped sign's own for longer than the period (a tenth of the lease at most).
        if (trailing.add(agentId)) {
          // Pending until written: a sign skipped meanwhile is covered by this write, stamped when it runs.
          vertx.setTimer(Math.max(1, step - since), t ->
              commits.submit(new Sign(agentId, null)).subscribe().with(x -> trailing.remove(agentId), e -> {
                trailing.remove(agentId);
                LOG.debugf("trailing sign of life of %s failed: %s", agentId, e.getMessage());
              }));
        }
        return Uni.createFrom().voidItem();
      }
    }
    return commits.submit(new Sign(agentId, null)).replaceWithVoid();
  }

  private Uni<Void> write(List<GroupCommit.Entry<Sign, Beat>> batch) {
    String[] ids = new String[batch.size()];
    Buffer[] hashes = new Buffer[batch.size()];
    for (int i = 0; i < ids.length; i++) {
      Sign sign = batch.get(i).item();
      ids[i] = sign.agentId();
      hashes[i] = sign.tokenHash() == null ? null : Buffer.buffer(sign.tokenHash());
    }
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery(SQL)
        .execute(Tuple.of(ids, hashes, now, config.heartbeat().tolerance()))
        .invoke(rows -> {
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
          long nowMillis = now.toInstant().toEpochMilli();
          if (lastWritten.size() >= MAX_REMEMBERED) {
            lastWritten.clear(); // a crude bound: the fleet's next signs of life are written once each
          }
          byId.values().forEach(b -> lastWritten.put(b.agentId(),
              new Written(nowMillis, b.leaseExpiresAt().toEpochMilli() - nowMillis)));
          for (GroupCommit.Entry<Sign, Beat> x : batch) {
            Sign sign = x.item();
            if (busy.contains(sign.agentId()) && !byId.containsKey(sign.agentId())) {
              // Its row is held by a session transaction: try again shortly, without stalling this batch.
              vertx.setTimer(2, t -> commits.resubmit(x));
              continue;
            }
            // A waiter is answered only if its own token matched (several may share one batch).
            boolean tokenOk = sign.tokenHash() == null
                || java.security.MessageDigest.isEqual(sign.tokenHash(), tokenById.get(sign.agentId()));
            x.complete(tokenOk ? byId.get(sign.agentId()) : null);
          }
        })
        .onFailure().invoke(err -> LOG.warnf("heartbeat batch of %d failed: %s", batch.size(), err.getMessage()))
        .replaceWithVoid();
  }
}
