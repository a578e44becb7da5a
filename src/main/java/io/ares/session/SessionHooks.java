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
}
