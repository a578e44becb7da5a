package io.ares.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.checkpoint.TaskAccess.Mode;
import io.ares.checkpoint.TaskAccess.Owner;
import io.ares.checkpoint.TaskSchemas.SchemaError;
import io.ares.platform.ApiException;
import io.ares.platform.AresConfig;
import io.ares.platform.BodyLimit;
import io.ares.platform.Hashing;
import io.ares.platform.Page;
import io.ares.platform.PageRequest;
import io.ares.platform.limits.RateLimiter;
import io.ares.platform.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.hibernate.exception.ConstraintViolationException;

/**
 * Task state, validators, hash-chained checkpoints, rollback and the consistency report (SPEC §2).
 * Every write is one transaction that updates the task's row under optimistic locking.
 *
 * <p>Checkpoints are the one write that grows the database with every call (a copy of the state each), so an agent's
 * checkpoints are limited per minute, in number and in bytes ({@code ares.limits.*}; operators are not limited), and
 * a checkpoint of a state identical to the newest checkpoint stores nothing: it answers that checkpoint.
 */
@ApplicationScoped
public class CheckpointService {

  /** The longest rollback reason accepted. */
  public static final int MAX_REASON = 2000;

  @Inject Clock clock;
  @Inject AresConfig config;

  /** Checkpoints per agent per minute, and bytes checkpointed per agent per minute. */
  private RateLimiter checkpointCount;
  private RateLimiter checkpointBytes;
  private RateLimiter stateBytes;

  @PostConstruct
  void limits() {
    checkpointCount = RateLimiter.perMinute(config.limits().checkpointsPerMinute(), clock);
    checkpointBytes = RateLimiter.perMinute(BodyLimit.parse(config.limits().checkpointBytesPerMinute()), clock);
    stateBytes = RateLimiter.perMinute(BodyLimit.parse(config.limits().stateBytesPerMinute()), clock);
  }

  /** Loads the JSON Schema meta-schema (a classpath read) at start-up, not on the event loop later. */
  void warmUp(@Observes StartupEvent event) {
    TaskSchemas.compile(TaskJson.toNode(Map.of("type", "object")));
  }

  /** A task row (null when none) and its owner. */
  record Found(TaskState task, Owner owner) {}

  /** A checkpoint answered by {@link #checkpoint}: a new one ({@code created}), or the newest, identical one. */
  public record Taken(CheckpointSummary checkpoint, boolean created) {}

  /** Which checkpoint a rollback restores. */
  private record Target(UUID checkpointId, boolean oldest) {
    static final Target NEWEST = new Target(null, false);
    static final Target OLDEST = new Target(null, true);
  }

  // ---------------------------------------------------------------------------------------------- state

  @WithSession
  public Uni<TaskState> state(String taskId, Caller caller) {
    return authorize(taskId, caller, Mode.READ).map(f -> requireState(f.task(), taskId));
  }

  /** Replaces the state; 422 SCHEMA_VIOLATION (nothing changed) when the task's schema refuses it. */
  @WithTransaction
  public Uni<TaskState> putState(String taskId, JsonNode body, Caller caller) {
    return check(() -> {
          TaskAccess.checkRole(caller, Mode.WRITE);
          return TaskJson.requireObject("state", body);
        })
        .flatMap(state -> authorize(taskId, caller, Mode.WRITE).flatMap(f -> {
          chargeStateBytes(caller, state);
          if (f.task() != null && f.task().schema != null) {
            List<SchemaError> errors = TaskSchemas.validate(TaskJson.toNode(f.task().schema), state);
            if (!errors.isEmpty()) {
              throw new ApiException(422, "SCHEMA_VIOLATION", "state does not satisfy the task's schema")
                  .with("errors", errors);
            }
          }
          return upsert(f, taskId, caller, t -> t.state = TaskJson.toMap(state));
        }))
        .call(CheckpointService::flush);
  }

  // --------------------------------------------------------------------------------------------- schema

  @WithSession
  public Uni<TaskState> schema(String taskId, Caller caller) {
    return authorize(taskId, caller, Mode.READ).map(f -> {
      if (f.task() == null || f.task().schema == null) {
        throw ApiException.notFound("schema of task " + taskId);
      }
      return f.task();
    });
  }

  /**
   * Sets the task's validator (400 when it is not a valid draft 2020-12 schema). Allowed even when the
   * current state does not satisfy it: the schema checks the writes and rollbacks that follow.
   */
  @WithTransaction
  public Uni<TaskState> putSchema(String taskId, JsonNode body, Caller caller) {
    return check(() -> {
          TaskAccess.checkRole(caller, Mode.WRITE);
          ObjectNode schema = TaskJson.requireObject("schema", body);
          TaskSchemas.compile(schema);
          return schema;
        })
        .flatMap(schema -> authorize(taskId, caller, Mode.WRITE)
            .flatMap(f -> upsert(f, taskId, caller, t -> t.schema = TaskJson.toMap(schema))))
        .call(CheckpointService::flush);
  }

  /** The errors of the task's current state against its schema (empty when valid, or no state/schema). */
  public static List<SchemaError> stateErrors(TaskState t) {
    if (t.state == null || t.schema == null) {
      return List.of();
    }
    return TaskSchemas.validate(TaskJson.toNode(t.schema), TaskJson.toNode(t.state));
  }

  // ---------------------------------------------------------------------------------------- checkpoints

  /**
   * Copies the current state into a new checkpoint chained to the previous one; 404 without state. When the state is
   * identical to the newest checkpoint's (same hash), nothing is stored: that checkpoint is answered ({@code created}
   * false) and becomes the task's latest checkpoint event again (it may not be after a rollback to an older one).
   * "Newest" is the newest checkpoint row, not the one last restored: after a rollback to an older checkpoint, a
   * checkpoint of the restored state is a new link after the newest (so that a later rollback to the newest restores
   * it). An agent's checkpoints are limited per minute in number (counted before anything is read) and in bytes (only
   * the stored ones count): 429 RATE_LIMITED with Retry-After, nothing stored.
   */
  @WithTransaction
  public Uni<Taken> checkpoint(String taskId, Caller caller) {
    return check(() -> {
          TaskAccess.checkRole(caller, Mode.WRITE);
          if (limited(caller)) {
            RateLimiter.Decision d = checkpointCount.tryAcquire(caller.name());
            if (!d.allowed()) {
              throw ApiException.rateLimited("more than " + checkpointCount.capacity()
                  + " checkpoints per minute by agent " + caller.name(), d.retryAfter());
            }
          }
          return caller;
        })
        .flatMap(c -> authorize(taskId, caller, Mode.WRITE))
        .flatMap(f -> {
          TaskState t = requireState(f.task(), taskId);
          String canonical = Hashing.canonical(TaskJson.toNode(t.state));
          String hash = Hashing.sha256Hex(canonical);
          return newest(taskId).flatMap(previous -> {
            claim(t, caller, f.owner());
            Instant now = now();
            if (previous != null && previous.hash().equals(hash)) {
              if (!previous.checkpointId().equals(t.eventCheckpointId)) {
                t.eventCheckpointId = previous.checkpointId();
                touch(t, caller.actor(), now);
              }
              return Uni.createFrom().item(new Taken(previous, false));
            }
            chargeBytes(caller, canonical.getBytes(StandardCharsets.UTF_8).length);
            TaskCheckpoint c = new TaskCheckpoint();
            c.checkpointId = UUID.randomUUID();
            c.taskId = taskId;
            c.seq = t.checkpointCount + 1;
            c.state = TaskJson.copy(t.state);
            c.hash = hash;
            c.previousHash = previous == null ? null : previous.hash();
            c.createdAt = now;
            c.createdBy = caller.actor();
            t.checkpointCount = c.seq;
            t.eventCheckpointId = c.checkpointId;
            touch(t, caller.actor(), now);
            return c.<TaskCheckpoint>persist().map(p -> new Taken(CheckpointSummary.of(p), true));
          });
        })
        .call(CheckpointService::flush);
  }

  /** Agents are limited; operators (who answer for the deployment) are not. */
  private static boolean limited(Caller caller) {
    return caller.agent() && !caller.operator();
  }

  /**
   * Spends the state's size of the agent's state-write budget ({@code ares.limits.state-bytes-per-minute}): an agent
   * cannot fill the disk with many large task states any more than with checkpoints. 429 beyond it.
   */
  private void chargeStateBytes(Caller caller, JsonNode state) {
    if (!limited(caller)) {
      return;
    }
    long bytes = state.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    RateLimiter.Decision d = stateBytes.tryAcquire(caller.name(), bytes);
    if (!d.allowed()) {
      throw ApiException.rateLimited("more than " + stateBytes.capacity() + " bytes of task state per minute by agent "
          + caller.name(), d.retryAfter() == null ? java.time.Duration.ofMinutes(1) : d.retryAfter());
    }
  }

  /** Spends {@code bytes} of the agent's checkpoint budget: 429 when it has not enough now, 413 when it never will. */
  private void chargeBytes(Caller caller, long bytes) {
    if (!limited(caller)) {
      return;
    }
    RateLimiter.Decision d = checkpointBytes.tryAcquire(caller.name(), bytes);
    if (d.exceedsCapacity()) {
      throw new ApiException(413, "PAYLOAD_TOO_LARGE", "a checkpoint of " + bytes
          + " bytes is more than an agent may checkpoint per minute (" + checkpointBytes.capacity() + " bytes)");
    }
    if (!d.allowed()) {
      throw ApiException.rateLimited("more than " + checkpointBytes.capacity()
          + " bytes of checkpoints per minute by agent " + caller.name(), d.retryAfter());
    }
  }

  @WithSession
  public Uni<Page<CheckpointSummary>> checkpoints(String taskId, PageRequest page, Caller caller) {
    return authorize(taskId, caller, Mode.READ).flatMap(f -> {
      requireTask(f.task(), taskId);
      var query = TaskCheckpoint.<TaskCheckpoint>find("taskId = ?1", Sort.by("seq"), taskId);
      return query.page(page.page(), page.size()).project(CheckpointSummary.class).list()
          .flatMap(items -> query.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
    });
  }

  @WithSession
  public Uni<TaskCheckpoint> checkpointDetail(String taskId, UUID checkpointId, Caller caller) {
    return authorize(taskId, caller, Mode.READ).flatMap(f -> {
      requireTask(f.task(), taskId);
      return byId(taskId, checkpointId);
    });
  }

  // ------------------------------------------------------------------------------------------- rollback

  /**
   * Restores the named checkpoint (or the newest when {@code checkpointId} is null) after validating it
   * (its hash, the chain up to it, the task's schema): 409 CHECKPOINT_INVALID with a {@code reason}
   * otherwise. Records a rollback entry.
   */
  @WithTransaction
  public Uni<TaskRollback> rollback(String taskId, UUID checkpointId, String reason, Caller caller) {
    return check(() -> {
          TaskAccess.checkRole(caller, Mode.WRITE);
          return caller;
        })
        .flatMap(c -> authorize(taskId, caller, Mode.WRITE))
        .flatMap(f -> {
          TaskState t = requireState(f.task(), taskId);
          claim(t, caller, f.owner());
          Target target = checkpointId == null ? Target.NEWEST : new Target(checkpointId, false);
          return restore(t, target, reason, caller.actor());
        })
        .call(CheckpointService::flush);
  }

  /**
   * For the sessions engine's compensation, to be called inside its own Hibernate Reactive transaction
   * (this joins it; on its own it opens one): restores the task's oldest checkpoint (the state before the
   * work) and records a rollback with {@code reason} (e.g. "compensation of session &lt;id&gt;") and {@code
   * actor}. No ownership check: the caller is the engine.
   *
   * @return true when restored; false, changing nothing, when the task has no checkpoint (or no row at all)
   * @throws ApiException (as the Uni's failure) 409 CHECKPOINT_INVALID when the oldest checkpoint fails
   *     validation (hash mismatch, or the task's schema refuses it); nothing has been written then, so the
   *     caller may recover and go on in the same transaction
   */
  @WithTransaction
  public Uni<Boolean> rollbackToOldest(String taskId, String reason, String actor) {
    return TaskState.<TaskState>findById(taskId).flatMap(t -> {
      if (t == null || t.checkpointCount == 0) {
        return Uni.createFrom().item(false);
      }
      return restore(t, Target.OLDEST, reason, actor).map(r -> true);
    });
  }

  @WithSession
  public Uni<Page<TaskRollback>> rollbacks(String taskId, PageRequest page, Caller caller) {
    return authorize(taskId, caller, Mode.READ).flatMap(f -> {
      requireTask(f.task(), taskId);
      var query = TaskRollback.<TaskRollback>find("taskId = ?1", Sort.descending("seq"), taskId);
      return query.page(page.page(), page.size()).list()
          .flatMap(items -> query.count().map(total -> new Page<>(items, page.page(), page.size(), total)));
    });
  }

  // ---------------------------------------------------------------------------------------- consistency

  @WithSession
  public Uni<Consistency> consistency(String taskId, Caller caller) {
    return authorize(taskId, caller, Mode.READ).flatMap(f -> {
      TaskState t = f.task();
      if (t == null || t.checkpointCount == 0) {
        throw ApiException.notFound("checkpoint of task " + taskId);
      }
      return TaskCheckpoint.<TaskCheckpoint>find("taskId = ?1", Sort.by("seq"), taskId).list().map(all -> {
        if (all.isEmpty()) {
          throw ApiException.notFound("checkpoint of task " + taskId);
        }
        Optional<HashChain.Break> broken = HashChain.verify(all.stream().map(TaskCheckpoint::link).toList());
        TaskCheckpoint event = all.stream()
            .filter(c -> c.checkpointId.equals(t.eventCheckpointId))
            .findFirst()
            .orElse(null);
        String checkpointHash = event == null ? null : event.hash;
        String currentHash = t.state == null ? null : hashOrNull(TaskJson.toNode(t.state));
        return new Consistency(
            taskId,
            checkpointHash != null && checkpointHash.equals(currentHash),
            checkpointHash,
            currentHash,
            broken.isEmpty() && event != null,
            t.eventCheckpointId,
            all.size(),
            broken.map(HashChain.Break::reason)
                .orElse(event == null ? "the latest checkpoint event names a checkpoint that is missing" : null));
      });
    });
  }

  // ------------------------------------------------------------------------------------------ internals

  /** Restores a validated checkpoint into {@code t} and records the rollback; runs in the caller's transaction. */
  private Uni<TaskRollback> restore(TaskState t, Target target, String reason, String actor) {
    Uni<TaskCheckpoint> chosen;
    if (target.checkpointId() != null) {
      chosen = byId(t.taskId, target.checkpointId());
    } else {
      Sort order = target.oldest() ? Sort.by("seq") : Sort.descending("seq");
      chosen = TaskCheckpoint.<TaskCheckpoint>find("taskId = ?1", order, t.taskId).firstResult()
          .map(c -> {
            if (c == null) {
              throw ApiException.notFound("checkpoint of task " + t.taskId);
            }
            return c;
          });
    }
    return chosen.flatMap(c -> TaskCheckpoint.<TaskCheckpoint>find("taskId = ?1 and seq <= ?2", Sort.by("seq"), t.taskId, c.seq)
        .list()
        .map(prefix -> {
          HashChain.verify(prefix.stream().map(TaskCheckpoint::link).toList()).ifPresent(b -> {
            throw invalid(b.reason());
          });
          if (t.schema != null) {
            List<SchemaError> errors = TaskSchemas.validate(TaskJson.toNode(t.schema), TaskJson.toNode(c.state));
            if (!errors.isEmpty()) {
              throw invalid("restored state violates schema: "
                      + errors.stream().limit(5).map(SchemaError::message).collect(Collectors.joining("; ")))
                  .with("errors", errors);
            }
          }
          Instant now = now();
          t.state = TaskJson.copy(c.state);
          t.eventCheckpointId = c.checkpointId;
          t.rollbackCount = t.rollbackCount + 1;
          touch(t, actor, now);
          TaskRollback r = new TaskRollback();
          r.rollbackId = UUID.randomUUID();
          r.taskId = t.taskId;
          r.seq = t.rollbackCount;
          r.checkpointId = c.checkpointId;
          r.hash = c.hash;
          r.reason = reason;
          r.actor = actor;
          r.rolledBackAt = now;
          return r;
        })
        .flatMap(r -> r.<TaskRollback>persist()));
  }

  private Uni<TaskCheckpoint> byId(String taskId, UUID checkpointId) {
    return TaskCheckpoint.<TaskCheckpoint>findById(checkpointId).map(c -> {
      if (c == null || !c.taskId.equals(taskId)) {
        throw ApiException.notFound("checkpoint " + checkpointId + " of task " + taskId);
      }
      return c;
    });
  }

  /** The newest checkpoint row of the task, without its state (which may be large and is not needed). */
  private Uni<CheckpointSummary> newest(String taskId) {
    return TaskCheckpoint.<TaskCheckpoint>find("taskId = ?1", Sort.descending("seq"), taskId)
        .project(CheckpointSummary.class)
        .firstResult();
  }

  /** Loads the task and its owner, and applies the access rules (403 before any 404 about content). */
  private Uni<Found> authorize(String taskId, Caller caller, Mode mode) {
    return assignmentAgent(taskId).flatMap(assigned -> TaskState.<TaskState>findById(taskId).map(t -> {
      Owner owner = TaskAccess.owner(assigned, t == null ? null : t.ownerAgentId, t != null && t.operatorOwned);
      TaskAccess.check(caller, mode, taskId, owner);
      return new Found(t, owner);
    }));
  }

  /** The agent of the assignment whose task_id this is, or null. */
  private Uni<String> assignmentAgent(String taskId) {
    return Panache.getSession()
        .flatMap(s -> s.createNativeQuery("SELECT agent_id FROM assignment WHERE task_id = :taskId", String.class)
            .setParameter("taskId", taskId)
            .getResultList())
        .map(rows -> rows.isEmpty() ? null : rows.get(0));
  }

  private interface Change {
    void apply(TaskState t);
  }

  private Uni<TaskState> upsert(Found f, String taskId, Caller caller, Change change) {
    Instant now = now();
    TaskState t = f.task();
    if (t == null) {
      t = new TaskState();
      t.taskId = taskId;
      t.createdAt = now;
      claim(t, caller, f.owner());
      change.apply(t);
      touch(t, caller.actor(), now);
      return t.persist();
    }
    claim(t, caller, f.owner());
    change.apply(t);
    touch(t, caller.actor(), now);
    return Uni.createFrom().item(t);
  }

  private static void claim(TaskState t, Caller caller, Owner owner) {
    if (TaskAccess.claims(caller, owner) && t.ownerAgentId == null) {
      t.ownerAgentId = caller.name();
    } else if (TaskAccess.claimsForOperators(caller, owner)) {
      t.operatorOwned = true;
    }
  }

  private static void touch(TaskState t, String actor, Instant now) {
    t.updatedAt = now;
    t.updatedBy = actor;
  }

  private static TaskState requireTask(TaskState t, String taskId) {
    if (t == null) {
      throw ApiException.notFound("task " + taskId);
    }
    return t;
  }

  private static TaskState requireState(TaskState t, String taskId) {
    if (t == null || t.state == null) {
      throw ApiException.notFound("state of task " + taskId);
    }
    return t;
  }

  private static ApiException invalid(String reason) {
    return new ApiException(409, "CHECKPOINT_INVALID", "checkpoint failed validation: " + reason)
        .with("reason", reason);
  }

  private static String hashOrNull(JsonNode state) {
    try {
      return HashChain.hashOf(state);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Runs a pure check as the start of a Uni chain, so that a refusal is a failure, not a throw. */
  private static <T> Uni<T> check(Supplier<T> s) {
    return Uni.createFrom().item(s);
  }

  /** Flushes inside the transaction so that a lost race surfaces here: a duplicate key is a 409 too. */
  private static Uni<Void> flush() {
    return Panache.flush()
        .onFailure(CheckpointService::isUniqueViolation)
        .transform(e -> ApiException.conflict("concurrent write to the task; retry with fresh state"));
  }

  static boolean isUniqueViolation(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ConstraintViolationException cve
          && cve.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE) {
        return true;
      }
      if (c instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
