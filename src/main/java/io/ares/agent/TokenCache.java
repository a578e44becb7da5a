package io.ares.agent;

import io.ares.platform.AresConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agent tokens this instance resolved lately (token hash → agent id), so that an agent's calls do not each read its
 * row: an entry lives {@code ares.auth.token-cache-ttl}. Forgotten at once when the agent's token is rotated or the
 * agent deregistered — here inside that transaction and again when its commit's wake-up arrives (so a request that
 * re-read the old row meanwhile does not keep it), and on every other instance when that wake-up reaches it
 * ({@link #forgetAgent} is called by the wake-up listener). Everything is forgotten when the wake-up channel
 * reconnects, since notifications may have been lost.
 */
@ApplicationScoped
public class TokenCache implements AgentLifecycleListener {

  private static final int MAX_ENTRIES = 100_000;

  private record Entry(String agentId, long expiresAtNanos) {}

  @Inject AresConfig config;

  private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
  /** Counts revocations: a lookup that started before one is not remembered after it. */
  private final java.util.concurrent.atomic.AtomicLong revocations = new java.util.concurrent.atomic.AtomicLong();

  /** The agent a token hash resolved to, if remembered and fresh. */
  public String agentFor(byte[] tokenHash) {
    Entry e = byHash.get(key(tokenHash));
    if (e == null) {
      return null;
    }
    if (System.nanoTime() - e.expiresAtNanos() > 0) {
      byHash.remove(key(tokenHash), e);
      return null;
    }
    return e.agentId();
  }

  /** Read before a database lookup and handed to {@link #remember}: a revocation in between voids the lookup. */
  public long epoch() {
    return revocations.get();
  }

  /** Remembers a resolution read from the database, unless a revocation happened since {@code epoch}. */
  public void remember(byte[] tokenHash, String agentId, long epoch) {
    long ttl = config.auth().tokenCacheTtl().toNanos();
    if (ttl <= 0 || revocations.get() != epoch) {
      return;
    }
    if (byHash.size() >= MAX_ENTRIES) {
      byHash.clear(); // a crude bound: the fleet re-resolves once
    }
    byHash.put(key(tokenHash), new Entry(agentId, System.nanoTime() + ttl));
  }

  /** Forgets every token of the agent (it was rotated, or the agent deregistered). */
  public void forgetAgent(String agentId) {
    revocations.incrementAndGet();
    byHash.values().removeIf(e -> e.agentId().equals(agentId));
  }

  /** Forgets everything (the wake-up channel reconnected: revocations may have been missed). */
  public void forgetAll() {
    revocations.incrementAndGet();
    byHash.clear();
  }

  @Override
  public Uni<Void> onTokenRotated(Agent agent) {
    forgetAgent(agent.agentId);
    return Uni.createFrom().voidItem();
  }

  @Override
  public Uni<Void> onDeregistered(Agent agent, String actor) {
    forgetAgent(agent.agentId);
    return Uni.createFrom().voidItem();
  }

  private static String key(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }
}
