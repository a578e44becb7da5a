package io.ares.session;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** What a session transaction hands to the features beside it before it commits. */
@ApplicationScoped
public class SessionHooks {

  /** Runs inside the transaction, after the transitions of {@code ctx}. */
  public Uni<Void> afterTransitions(SessionContext ctx) {
    return Uni.createFrom().voidItem();
  }

  /** An outcome that belongs to an agent rather than to one session (e.g. AGENT_UNRESPONSIVE). */
  public Uni<Void> recordAgentOutcome(String agentId, String kind, String detail) {
    return Uni.createFrom().voidItem();
  }
}
