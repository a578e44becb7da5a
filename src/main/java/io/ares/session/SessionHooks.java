package io.ares.session;

import io.ares.agent.Agent;
import io.ares.checkpoint.CheckpointService;
import io.ares.reliability.Outcome;
import io.ares.reliability.OutcomeKind;
import io.ares.reliability.ReliabilityService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What a session transaction hands to the features beside it before it commits: reliability outcomes (in a stable
 * agent order, so concurrent transactions never deadlock on agent rows) and the checkpoint rollback of every task
 * whose compensation was confirmed.
 */
@ApplicationScoped
public class SessionHooks {

  private static final Logger LOG = Logger.getLogger(SessionHooks.class);

  @Inject ReliabilityService reliability;
  @Inject CheckpointService checkpoints;
  @Inject Clock clock;

  /** Takes the reliability locks of the agents whose outcomes {@code ctx} will record (before any agent row). */
  public Uni<Void> lockOutcomes(SessionContext ctx) {
    return reliability.lockRecords(ctx.outcomes.stream().map(SessionContext.Outcome::agentId).toList());
  }

  /** Runs inside the transaction, after the transitions of {@code ctx}. */
  public Uni<Void> afterTransitions(SessionContext ctx) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Assignment a : List.copyOf(ctx.compensated)) {
      String reason = "compensation of session " + ctx.session.sessionId;
      chain = chain.call(() -> checkpoints.rollbackToOldest(a.taskId, reason, SessionEngine.ENGINE)
          .onFailure().recoverWithItem(e -> {
            // A tampered checkpoint is refused; the compensation itself stands and the refusal is logged.
            LOG.warnf("task %s of assignment %s not rolled back: %s", a.taskId, a.assignmentId, e.getMessage());
            return false;
          }));
    }
    ctx.compensated.clear();
    List<SessionContext.Outcome> outcomes = ctx.outcomes.stream()
        .sorted(Comparator.comparing(SessionContext.Outcome::agentId))
        .toList();
    ctx.outcomes.clear();
    for (SessionContext.Outcome o : outcomes) {
      chain = chain.call(() -> record(o));
    }
    return chain;
  }

  private Uni<Void> record(SessionContext.Outcome o) {
    Outcome outcome = new Outcome(o.agentId(), OutcomeKind.valueOf(o.kind()), o.assignmentId(), o.sessionId(),
        o.responseTimeMs(), o.detail(), clock.instant());
    if (outcome.kind() == OutcomeKind.COORDINATION_FAILED) {
      // Recorded against the coordinator only when it is an agent.
      return Agent.<Agent>findById(o.agentId())
          .flatMap(agent -> agent == null ? Uni.createFrom().voidItem() : reliability.record(outcome));
    }
    return reliability.record(outcome);
  }

  /** An outcome that belongs to an agent rather than to one session (e.g. AGENT_UNRESPONSIVE). */
  public Uni<Void> recordAgentOutcome(String agentId, String kind, String detail) {
    return reliability.record(new Outcome(agentId, OutcomeKind.valueOf(kind), null, null, null, detail, clock.instant()));
  }
}
