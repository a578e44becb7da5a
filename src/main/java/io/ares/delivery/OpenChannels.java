package io.ares.delivery;

import io.ares.platform.AresConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The long-polls and streams each agent holds open on this instance, at most {@code ares.delivery.max-open-per-agent}
 * of them: a new one beyond the limit replaces the oldest, which ends at once (a long-poll answers {@code []}, a
 * stream closes with 1008). An agent (or a stolen token) cannot pin thousands of waiters on the engine, and an agent
 * that reconnects after a network blip is never refused because its own stale connections have not timed out yet.
 * Counted per instance: the limit bounds what one agent costs each replica.
 */
@ApplicationScoped
public class OpenChannels {

  /** One open long-poll or stream. {@link #close} when it ends; {@code onReplaced} runs if a newer one evicts it. */
  public final class Channel {
    private final String agentId;
    private final Runnable onReplaced;

    private Channel(String agentId, Runnable onReplaced) {
      this.agentId = agentId;
      this.onReplaced = onReplaced;
    }

    public void close() {
      byAgent.computeIfPresent(agentId, (k, open) -> {
        open.remove(this);
        return open.isEmpty() ? null : open;
      });
    }
  }

  private final Map<String, Deque<Channel>> byAgent = new ConcurrentHashMap<>();

  @Inject AresConfig config;

  /** Registers a new channel of the agent, ending the oldest ones beyond the limit. */
  public Channel open(String agentId, Runnable onReplaced) {
    Channel channel = new Channel(agentId, onReplaced);
    Deque<Channel> evicted = new ArrayDeque<>();
    int limit = config.delivery().maxOpenPerAgent();
    byAgent.compute(agentId, (k, open) -> {
      Deque<Channel> d = open == null ? new ArrayDeque<>() : open;
      d.addLast(channel);
      while (d.size() > limit) {
        evicted.add(d.pollFirst());
      }
      return d;
    });
    // Outside the map's lock: ending a channel completes its waiter, whose continuation may open another.
    evicted.forEach(c -> c.onReplaced.run());
    return channel;
  }

  /** How many channels the agent holds open here (for tests and metrics). */
  public int openFor(String agentId) {
    Deque<Channel> d = byAgent.get(agentId);
    return d == null ? 0 : d.size();
  }
}
