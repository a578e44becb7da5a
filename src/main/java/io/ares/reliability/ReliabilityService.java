package io.ares.reliability;

import io.ares.agent.Agent;
import io.ares.agent.AgentService;
import io.ares.agent.AgentStatus;
import io.ares.agent.AgentStatusEvent;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Results, incidents, the reliability score and automatic enforcement (SPEC §2 "Reliability and
 * enforcement"; docs/reliability.md).
 */
@ApplicationScoped
public class ReliabilityService {

  /** The actor of automatic enforcement. */
  public static final String ENFORCER = "ares";
  /** The AgentStatusEvent cause of an automatic quarantine. */
  public static final String AUTO_QUARANTINE = "AUTO_QUARANTINE";
  /** Anomalies listed in a report at most. */
  static final int REPORT_ANOMALIES = 50;

  private static final String EXPIRED_SUMS = """
      select r.kind, count(r),
        sum(case when r.counted = true then 1 else 0 end),
        sum(case when r.counted = true and r.success = true then 1 else 0 end),
        sum(r.failureWeight),
        count(r.tDays),
        sum(r.tDays),
        sum(case when r.tDays is not null then r.responseTimeMs * 1.0 else 0.0 end),
        sum(r.tDays * r.tDays),
        sum(r.tDays * r.responseTimeMs),
        sum(case when r.counted = true and r.outlierDetail is not null then 1 else 0 end),
        sum(case when r.counted = true and r.burstDetail is not null then 1 else 0 end)
      from ReliabilityResult r
      where r.agentId = :agent and r.at > :from and r.at <= :to
      group by r.kind
      """;

  @Inject Clock clock;
  @Inject AresConfig config;
  @Inject AgentService agents;
  @Inject ReliabilityMetrics metrics;

  /**
   * Records one outcome: a result row, an incident for a bad one, the agent's new {@code reliability_score}
   * (from the running window aggregates, O(1) amortised), a score-history point, and automatic quarantine
   * when a rule holds.
   *
   * <p>Transactions: joins the caller's Hibernate Reactive transaction when there is one (call it inside
   * the sessions engine's own {@code @WithTransaction} chain, so the outcome commits or rolls back with the
   * transition), else runs in its own. It takes the agent's reliability lock (a transaction-scoped advisory
   * lock, see {@link #lock}) and changes the managed {@link Agent} (the caller's instance when it already loaded it): {@code
   * reliabilityScore} always, {@code status} on quarantine. Its {@code @Version} is incremented at flush, so
   * if the caller read the agent before a concurrent transaction changed it, the caller's transaction fails
   * with an optimistic-lock exception, to be retried like any other lost race. Record outcomes of several
   * agents in one transaction in a stable order (e.g. by agent id) to avoid lock-order deadlocks.
   *
   * <p>One lapse is one incident: a TASK_TIMEOUT of an agent that is UNRESPONSIVE when it is recorded (its
   * assignments timed out because the agent went UNRESPONSIVE) is stored as a result that does not count
   * and raises no incident; the AGENT_UNRESPONSIVE outcome is the one that counts. Record that one first.
   */
  @WithTransaction
  public Uni<Void> record(Outcome o) {
    return lockAgent(o.agentId())
        .onItem().ifNull().failWith(() -> ApiException.notFound("agent " + o.agentId()))
        .flatMap(agent -> recordLocked(agent, o));
  }

  /**
   * Records outcomes of several agents in the caller's transaction (the {@link OutcomeProjector}'s batches): the
   * agents' reliability locks are taken by one statement and the agents and their states loaded by two, then each
   * outcome is applied in the order given. Outcomes of an agent that no longer exists are skipped.
   */
  Uni<Void> recordAll(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String[] ids = outcomes.stream().map(Outcome::agentId).distinct().sorted().toArray(String[]::new);
    return lock(ids)
        .flatMap(x -> Agent.<Agent>list("agentId in ?1", List.of(ids))
            // Loaded into the session: the per-outcome reads below are answered from it.
            .call(agents -> ReliabilityState.list("agentId in ?1", List.of(ids)).replaceWithVoid()))
        .flatMap(agents -> {
          Map<String, Agent> byId = new LinkedHashMap<>();
          agents.forEach(a -> byId.put(a.agentId, a));
          Uni<Void> chain = Uni.createFrom().voidItem();
          for (Outcome o : outcomes) {
            Agent agent = byId.get(o.agentId());
            if (agent != null) {
              chain = chain.call(() -> recordLocked(agent, o));
            }
          }
          return chain;
        });
  }

  /** Applies one outcome to an agent whose reliability lock this transaction holds. */
  private Uni<Void> recordLocked(Agent agent, Outcome o) {
    Instant at = (o.at() != null ? o.at() : clock.instant()).truncatedTo(ChronoUnit.MICROS);
    return state(agent.agentId, at)
        .call(state -> expire(state, at))
        .flatMap(state -> apply(agent, state, o, at));
  }

  /**
   * Serialises the reliability writers of the agent for this transaction, then returns the managed Agent: the
   * caller's instance when it already loaded it (a stale one then fails the version check at flush), else a fresh
   * read made after the lock.
   */
  private Uni<Agent> lockAgent(String agentId) {
    return lock(new String[] {agentId}).flatMap(x -> Agent.<Agent>findById(agentId));
  }

  /**
   * Transaction-scoped advisory locks on the agents' reliability records, taken in agent id order, so
   * writers of one agent's record queue instead of racing (a new agent's first state row, the running aggregates).
   * Not the agent's row lock: that row takes the capacity updates of every delegation and verdict, which must not
   * wait for a reliability batch. The agent's {@code @Version} still settles a race with its other writers.
   */
  private Uni<Void> lock(String[] agentIds) {
    return lockRecords(java.util.Arrays.asList(agentIds));
  }

  /**
   * Takes the reliability locks of these agents for the caller's transaction, in agent id order (the order of every
   * writer). A transaction that will record outcomes and also write agent rows (capacity, status) takes them first,
   * before any agent row: the projector's batches hold them and then write the agents' scores, so the other order
   * could deadlock.
   */
  public Uni<Void> lockRecords(java.util.Collection<String> agentIds) {
    if (agentIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String[] ids = agentIds.stream().distinct().sorted().toArray(String[]::new);
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery(
                "SELECT count(pg_advisory_xact_lock(" + ADVISORY_CLASS + ", hashtext(id))) FROM (SELECT id "
                    + "FROM unnest(CAST(:ids AS varchar[])) AS id ORDER BY id) ordered", Long.class)
            .setParameter("ids", ids)
            .getSingleResult())
        .replaceWithVoid();
  }

  /** The first key of ARES's advisory locks on reliability records ('AR'). */
  static final int ADVISORY_CLASS = 0x4152;

  private Uni<ReliabilityState> state(String agentId, Instant at) {
    return ReliabilityState.<ReliabilityState>findById(agentId).flatMap(s -> s != null
        ? Uni.createFrom().item(s)
        : ReliabilityState.fresh(agentId, at, window(), ScoreModel.DEFAULT.priorMean()).persist());
  }

  private Duration window() {
    return config.reliability().window();
  }

  /** Subtracts the results that left the window since the last outcome (each result leaves once). */
  private Uni<Void> expire(ReliabilityState state, Instant at) {
    Instant cutoff = at.minus(window());
    if (!cutoff.isAfter(state.expiredThrough)) {
      return Uni.createFrom().voidItem();
    }
    return Panache.getSession()
        .flatMap(s -> s.createSelectionQuery(EXPIRED_SUMS, Object[].class)
            .setParameter("agent", state.agentId)
            .setParameter("from", state.expiredThrough)
            .setParameter("to", cutoff)
            .getResultList())
        .invoke(rows -> {
          for (Object[] r : rows) {
            state.subtract(new ReliabilityState.Expired(
                (OutcomeKind) r[0], n(r[1]), n(r[2]), n(r[3]), d(r[4]), n(r[5]),
                d(r[6]), d(r[7]), d(r[8]), d(r[9]), n(r[10]), n(r[11])), cutoff);
          }
          state.expiredThrough = cutoff;
          state.settle();
        })
        .replaceWithVoid();
  }

  private static long n(Object o) {
    return o == null ? 0L : ((Number) o).longValue();
  }

  private static double d(Object o) {
    return o == null ? 0.0 : ((Number) o).doubleValue();
  }

  /**
   * The result row of an outcome (not yet saved), with the agent's anomaly figures in {@code state} moved on (the
   * outlier baseline, the failure run); the caller adds it to the window when {@code at} is inside it. Shared by the
   * entity path ({@link #record}) and the projector's batches ({@link OutcomeBatch}).
   */
  static ReliabilityResult prepare(String agentId, AgentStatus status, ReliabilityState state, Outcome o, Instant at) {
    Optional<IncidentClassifier.Classification> cls = IncidentClassifier.classify(o.kind());
    boolean covered = o.kind() == OutcomeKind.TASK_TIMEOUT && status == AgentStatus.UNRESPONSIVE;
    boolean inWindow = at.isAfter(state.expiredThrough);

    ReliabilityResult r = new ReliabilityResult();
    r.agentId = agentId;
    r.kind = o.kind();
    r.success = o.kind().success();
    r.counted = !covered;
    r.failureWeight = r.counted && cls.isPresent() ? cls.get().impact().weight() : 0.0;
    r.assignmentId = o.assignmentId();
    r.sessionId = o.sessionId();
    r.responseTimeMs = o.responseTimeMs() == null || o.responseTimeMs() < 0 ? null : o.responseTimeMs();
    r.detail = covered
        ? "covered by AGENT_UNRESPONSIVE (the agent was UNRESPONSIVE)" + (o.detail() == null ? "" : ": " + o.detail())
        : o.detail();
    r.at = at;

    if (r.counted && r.responseTimeMs != null) {
      Anomalies.OutlierCheck check = Anomalies.checkOutlier(state.baselineMs, r.responseTimeMs);
      if (check != null && check.outlier()) {
        r.outlierDetail = check.detail(r.responseTimeMs);
      }
      state.baselineMs = Anomalies.pushBaseline(state.baselineMs, r.responseTimeMs);
      if (inWindow) {
        if (state.rtSamples == 0) {
          state.originAt = at;
        }
        r.tDays = state.days(at);
      }
    }
    if (r.counted) {
      Anomalies.BurstStep step = Anomalies.nextRun(
          new Anomalies.Run(state.runFailuresMs, state.runFlagged), !r.success, at.toEpochMilli());
      state.runFailuresMs = step.run().failureTimes();
      state.runFlagged = step.run().flagged();
      r.burstDetail = step.detail();
    }

    return r;
  }

  private Uni<Void> apply(Agent agent, ReliabilityState state, Outcome o, Instant at) {
    Optional<IncidentClassifier.Classification> cls = IncidentClassifier.classify(o.kind());
    boolean inWindow = at.isAfter(state.expiredThrough);
    ReliabilityResult r = prepare(agent.agentId, agent.status, state, o, at);

    return r.<ReliabilityResult>persist().flatMap(saved -> {
      if (inWindow) {
        state.add(saved);
      }
      ScoreModel.Breakdown b = ScoreModel.compute(state.inputs());
      agent.reliabilityScore = b.score();
      state.score = b.score();
      state.updatedAt = at;
      metrics.score(b.score());

      ScorePoint point = new ScorePoint();
      point.agentId = agent.agentId;
      point.resultId = saved.resultId;
      point.score = b.score();
      point.at = at;

      Uni<Void> incident;
      if (cls.isPresent() && saved.counted) {
        Incident i = new Incident();
        i.resultId = saved.resultId;
        i.agentId = agent.agentId;
        i.code = cls.get().code();
        i.impact = cls.get().impact();
        i.enforceable = cls.get().enforceable();
        i.assignmentId = saved.assignmentId;
        i.sessionId = saved.sessionId;
        i.at = at;
        i.detail = saved.detail;
        incident = i.persist().invoke(x -> metrics.incident(i.code)).replaceWithVoid();
      } else {
        incident = Uni.createFrom().voidItem();
      }
      return point.persist()
          .chain(() -> incident)
          .chain(() -> enforce(agent, saved, cls, b.score(), at));
    });
  }

  private Uni<Void> enforce(
      Agent agent, ReliabilityResult r, Optional<IncidentClassifier.Classification> cls, double score, Instant at) {
    if (!r.counted || !EnforcementPolicy.canQuarantine(agent.status)) {
      return Uni.createFrom().voidItem();
    }
    EnforcementPolicy.Limits limits = limits();
    boolean incidentRule = cls.map(IncidentClassifier.Classification::enforceable).orElse(false);
    boolean scoreRule = score < limits.quarantineBelow();
    if (!incidentRule && !scoreRule) {
      return Uni.createFrom().voidItem();
    }
    return releaseWatermark(agent.agentId).flatMap(wm -> {
      Uni<List<String>> codes = incidentRule
          ? Incident.<Incident>find("agentId = ?1 and enforceable = true and at > ?2 and resultId > ?3",
                  Sort.descending("at"), agent.agentId, at.minus(limits.window()), wm)
              .range(0, Math.max(0, limits.maxHighIncidents() - 1)).list()
              .map(l -> l.stream().map(i -> i.code).toList())
          : Uni.createFrom().item(List.<String>of());
      Uni<Integer> samples = scoreRule
          // Evaluated only while the score is below the threshold, and an agent that has the samples is
          // quarantined at once: in practice this counts the few results since the last release.
          ? ReliabilityResult.count("agentId = ?1 and counted = true and at > ?2 and resultId > ?3",
                  agent.agentId, at.minus(window()), wm).map(Long::intValue)
          : Uni.createFrom().item(0);
      return codes.flatMap(c -> samples.flatMap(n -> {
        var decision = EnforcementPolicy.decide(new EnforcementPolicy.Facts(agent.status, score, n, c), limits);
        return decision.isEmpty() ? Uni.createFrom().voidItem() : quarantine(agent, decision.get(), at);
      }));
    });
  }

  EnforcementPolicy.Limits limits() {
    AresConfig.Enforcement e = config.enforcement();
    return new EnforcementPolicy.Limits(e.quarantineBelow(), e.minSamples(), e.maxHighIncidents(), e.window());
  }

  private Uni<Void> quarantine(Agent agent, EnforcementPolicy.Decision d, Instant at) {
    AgentStatus from = agent.status;
    return agents.quarantineInTx(agent, AUTO_QUARANTINE, ENFORCER, d.reason())
        .flatMap(a -> latestStatusEvent(a.agentId))
        .flatMap(ev -> {
          EnforcementAction x = new EnforcementAction();
          x.agentId = agent.agentId;
          x.action = EnforcementAction.Action.QUARANTINE;
          x.rule = d.rule().name();
          x.automatic = true;
          x.actor = ENFORCER;
          x.reason = d.reason();
          x.fromStatus = from;
          x.toStatus = agent.status;
          x.score = agent.reliabilityScore;
          x.statusEventSeq = ev == null ? null : ev.seq;
          x.at = at;
          return x.persist();
        })
        .invoke(x -> metrics.enforcement(EnforcementAction.Action.QUARANTINE, d.rule().name()))
        .replaceWithVoid();
  }

  /** The newest result id when the agent was last released (0 if never): counts start after it. */
  private Uni<Long> releaseWatermark(String agentId) {
    return EnforcementAction.<EnforcementAction>find("agentId = ?1 and action = ?2",
            Sort.descending("actionId"), agentId, EnforcementAction.Action.RELEASE)
        .firstResult()
        .map(a -> a == null ? 0L : a.resultWatermark);
  }

  private Uni<AgentStatusEvent> latestStatusEvent(String agentId) {
    return AgentStatusEvent.<AgentStatusEvent>find("agentId = ?1", Sort.descending("seq"), agentId).firstResult();
  }

  /**
   * Records a quarantine or release made by an operator (called by {@link ReliabilityLifecycleListener}
   * inside the agent registry's transaction, after it wrote the AgentStatusEvent whose actor and reason
   * are copied). A release also sets the watermark that starts the enforcement counts afresh.
   */
  Uni<Void> recordOperatorAction(Agent agent, AgentStatus from, AgentStatus to, String cause) {
    EnforcementAction.Action action = to == AgentStatus.QUARANTINED
        ? EnforcementAction.Action.QUARANTINE
        : from == AgentStatus.QUARANTINED ? EnforcementAction.Action.RELEASE : null;
    if (action == null) {
      return Uni.createFrom().voidItem();
    }
    Uni<Long> watermark = action == EnforcementAction.Action.RELEASE
        ? Panache.getSession().flatMap(s -> s.createSelectionQuery(
                "select coalesce(max(r.resultId), 0) from ReliabilityResult r", Long.class).getSingleResult())
        : Uni.createFrom().item(0L);
    return watermark.flatMap(wm -> latestStatusEvent(agent.agentId).flatMap(ev -> {
      EnforcementAction x = new EnforcementAction();
      x.agentId = agent.agentId;
      x.action = action;
      x.rule = EnforcementAction.OPERATOR;
      x.automatic = false;
      x.actor = ev == null ? "unknown" : ev.actor;
      x.reason = ev == null ? cause : ev.reason;
      x.fromStatus = from;
      x.toStatus = to;
      x.score = agent.reliabilityScore;
      x.statusEventSeq = ev == null ? null : ev.seq;
      x.resultWatermark = wm;
      x.at = clock.instant();
      return x.persist();
    })).invoke(x -> metrics.enforcement(action, EnforcementAction.OPERATOR)).replaceWithVoid();
  }

  // ------------------------------------------------------------------------------------------------
  // Reading

  /** The agent's incidents, newest first. Unknown agent: 404. */
  @WithSession
  public Uni<Page<Incident>> incidents(String agentId, PageRequest page) {
    return agents.get(agentId).flatMap(a -> {
      var q = Incident.<Incident>find("agentId = ?1", Sort.descending("at", "incidentId"), agentId);
      return q.page(page.page(), page.size()).list()
          .flatMap(items -> q.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
    });
  }

  /** The newest {@code limit} score points, oldest first (ready to draw). Unknown agent: 404. */
  @WithSession
  public Uni<List<ScorePoint>> scoreHistory(String agentId, int limit) {
    return agents.get(agentId).flatMap(a -> ScorePoint.<ScorePoint>find("agentId = ?1", Sort.descending("pointId"), agentId)
        .page(0, Math.max(1, limit)).list()
        .map(l -> {
          List<ScorePoint> out = new ArrayList<>(l);
          Collections.reverse(out);
          return out;
        }));
  }

  /** Every quarantine and release of the agent, newest first. Unknown agent: 404. */
  @WithSession
  public Uni<Page<EnforcementAction>> enforcementHistory(String agentId, PageRequest page) {
    return agents.get(agentId).flatMap(a -> {
      var q = EnforcementAction.<EnforcementAction>find("agentId = ?1", Sort.descending("actionId"), agentId);
      return q.page(page.page(), page.size()).list()
          .flatMap(items -> q.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
    });
  }

  /** The reliability analysis of the agent (figures of its window as of its last result). Unknown agent: 404. */
  @WithSession
  public Uni<ReliabilityReport> report(String agentId) {
    return agents.get(agentId).flatMap(agent -> ReliabilityState.<ReliabilityState>findById(agentId)
        .flatMap(state -> {
          if (state == null) {
            return Uni.createFrom().item(report(agent, ReliabilityState.fresh(agentId, clock.instant(), window(),
                agent.reliabilityScore), List.of()));
          }
          return ReliabilityResult.<ReliabilityResult>find(
                  "agentId = ?1 and at > ?2 and counted = true and (outlierDetail is not null or burstDetail is not null)",
                  Sort.descending("at", "resultId"), agentId, state.expiredThrough)
              .page(0, REPORT_ANOMALIES).list()
              .map(rows -> report(agent, state, rows));
        }));
  }

  private ReliabilityReport report(Agent agent, ReliabilityState state, List<ReliabilityResult> flagged) {
    ScoreModel.Breakdown b = ScoreModel.compute(state.inputs());
    Map<String, Integer> pattern = new LinkedHashMap<>();
    for (OutcomeKind k : OutcomeKind.values()) {
      pattern.put(k.name(), state.kindCounts.getOrDefault(k.name(), 0));
    }
    List<ReliabilityReport.Anomaly> anomalies = new ArrayList<>();
    for (ReliabilityResult r : flagged) {
      if (r.burstDetail != null) {
        anomalies.add(new ReliabilityReport.Anomaly("FAILURE_BURST", r.at, r.burstDetail, r.assignmentId));
      }
      if (r.outlierDetail != null) {
        anomalies.add(new ReliabilityReport.Anomaly("RESPONSE_TIME_OUTLIER", r.at, r.outlierDetail, r.assignmentId));
      }
    }
    boolean baseline = state.baselineMs != null && state.baselineMs.length > 0;
    var trend = new ReliabilityReport.ResponseTimeTrend(
        b.slopeMsPerDay(), b.meanMs(),
        baseline ? Anomalies.median(state.baselineMs) : null,
        baseline ? Anomalies.mad(state.baselineMs) : null,
        state.rtSamples, b.relativeChange(), b.trendPenalty());
    return new ReliabilityReport(
        agent.agentId,
        agent.status,
        agent.reliabilityScore,
        b.smoothedSuccessRate(),
        state.results == 0 ? null : (double) state.successes / state.results,
        state.results,
        state.successes,
        state.failureWeight,
        trend,
        pattern,
        anomalies,
        b.anomalyPenalty(),
        state.updatedAt,
        state.expiredThrough,
        window().getSeconds());
  }
}
