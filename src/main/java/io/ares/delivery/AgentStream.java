package io.ares.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.agent.AgentService;
import io.ares.agent.AgentTokenMechanism;
import io.quarkus.websockets.next.CloseReason;
import io.ares.platform.SafeContext;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.PathParam;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The same messages as the long-poll, pushed: {@code /api/v1/agents/{id}/stream}, bearer token on the upgrade
 * request ({@link StreamUpgradeCheck}). Every frame the agent sends is a sign of life.
 */
@WebSocket(path = "/api/v1/agents/{id}/stream", endpointId = AgentStream.ENDPOINT_ID)
public class AgentStream {

  public static final String ENDPOINT_ID = "agent-stream";
  private static final Logger LOG = Logger.getLogger(AgentStream.class);
  private static final Duration IDLE = Duration.ofSeconds(25);
  /** WebSocket close code 1008 (RFC 6455 §7.4.1). */
  static final int POLICY_VIOLATION = 1008;

  @Inject DeliveryService delivery;
  @Inject WakeupHub hub;
  @Inject AgentService agents;
  @Inject ObjectMapper json;
  @Inject Vertx vertx;
  @Inject Clock clock;
  @Inject io.ares.agent.AgentTokenIdentityProvider tokens;

  @Inject OpenChannels channels;

  /** Each open stream's place among its agent's open channels, by connection id. */
  private final java.util.Map<String, OpenChannels.Channel> open = new java.util.concurrent.ConcurrentHashMap<>();

  @OnOpen
  public void onOpen(WebSocketConnection connection, @PathParam("id") String id) {
    // Beyond the agent's limit the oldest channel ends: an older stream is closed with 1008.
    open.put(connection.id(), channels.open(id, () -> connection.close(new CloseReason(POLICY_VIOLATION,
        "replaced by a newer connection of this agent")).subscribe().with(x -> {}, e -> {})));
    SafeContext.run(vertx, () -> agents.signOfLife(id)).subscribe().with(b -> pushLoop(connection, id),
        e -> pushLoop(connection, id));
  }

  @OnTextMessage
  public Uni<Void> onFrame(String frame, @PathParam("id") String id) {
    return SafeContext.run(vertx, () -> agents.signOfLife(id)).replaceWithVoid();
  }

  @OnClose
  public void onClose(WebSocketConnection connection, @PathParam("id") String id) {
    OpenChannels.Channel channel = open.remove(connection.id());
    if (channel != null) {
      channel.close();
    }
    LOG.debugf("stream of %s closed", id);
  }

  private void pushLoop(WebSocketConnection connection, String agentId) {
    if (connection.isClosed()) {
      return;
    }
    long generation = hub.generation(agentId);
    String token = AgentTokenMechanism.bearer(connection.handshakeRequest().header("Authorization"));
    // The token is checked again before every claim: a rotation or a deregistration (which wake the stream)
    // closes a stream opened with the old token, on whichever replica holds it.
    SafeContext.run(vertx, () -> token == null ? Uni.createFrom().<String>nullItem() : tokens.agentFor(token))
        .flatMap(owner -> {
          if (!agentId.equals(owner)) {
            return connection.close(new CloseReason(POLICY_VIOLATION,
                    "token rotated or agent deregistered"))
                .replaceWith((DeliveryService.Claim) null);
          }
          return SafeContext.run(vertx, () -> delivery.claim(agentId));
        })
        .flatMap(claim -> claim == null ? Uni.createFrom().nullItem() : send(connection, claim.messages()).replaceWith(claim))
        .flatMap(claim -> {
          if (claim == null) {
            return Uni.createFrom().item(false);
          }
          Duration wait = IDLE;
          if (claim.nextDueAt() != null) {
            Duration untilDue = Duration.between(clock.instant(), claim.nextDueAt()).plusMillis(5);
            if (untilDue.compareTo(wait) < 0) {
              wait = untilDue.isNegative() ? Duration.ofMillis(5) : untilDue;
            }
          }
          return hub.await(agentId, wait, generation);
        })
        .subscribe().with(
            woken -> {
              if (!connection.isClosed()) {
                pushLoop(connection, agentId);
              }
            },
            err -> {
              LOG.debugf("stream of %s stopped: %s", agentId, err.getMessage());
              if (connection.isOpen()) {
                vertx.setTimer(1000, t -> pushLoop(connection, agentId));
              }
            });
  }

  private Uni<Void> send(WebSocketConnection connection, List<MessageView> messages) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (MessageView m : messages) {
      chain = chain.call(() -> {
        try {
          return connection.sendText(json.writeValueAsString(m));
        } catch (Exception e) {
          return Uni.createFrom().failure(e);
        }
      });
    }
    return chain;
  }
}
