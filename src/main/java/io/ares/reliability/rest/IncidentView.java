package io.ares.reliability.rest;

import io.ares.reliability.Incident;
import java.time.Instant;
import java.util.UUID;

/** An incident on the wire; {@code impact} is {@code high}, {@code medium} or {@code low} as in SPEC §2. */
public record IncidentView(
    long incidentId,
    String agentId,
    String code,
    String impact,
    boolean enforceable,
    UUID assignmentId,
    UUID sessionId,
    Instant at,
    String detail) {

  public static IncidentView of(Incident i) {
    return new IncidentView(i.incidentId, i.agentId, i.code, i.impact.wire(), i.enforceable, i.assignmentId,
        i.sessionId, i.at, i.detail);
  }
}
