package io.ares.delivery;

import java.time.Instant;

/** A message as an agent receives it (long-poll answer or WebSocket frame). */
public record MessageView(
    String type,
    String assignmentId,
    String sessionId,
    String taskId,
    Object task,
    Instant deadline,
    String idempotencyKey,
    Object attempt,
    int delivery,
    Object reason,
    Object detail) {

  public static MessageView of(AgentMessage m, Instant deadline) {
    var p = m.payload;
    return new MessageView(
        m.type,
        String.valueOf(p.get("assignment_id")),
        String.valueOf(p.get("session_id")),
        String.valueOf(p.get("task_id")),
        p.get("task"),
        deadline,
        m.idempotencyKey,
        p.get("attempt"),
        m.deliveries,
        p.get("reason"),
        p.get("detail"));
  }
}
