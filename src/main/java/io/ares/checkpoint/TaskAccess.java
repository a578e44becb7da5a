package io.ares.checkpoint;

import io.ares.platform.ApiException;
import io.ares.platform.security.Caller;

/**
 * Who may do what to a task (SPEC §2, §3). Pure.
 *
 * <p>A task whose first write (state or schema) came from an operator is operator-owned: agents may read it but get
 * 403 on every write (state, schema, checkpoint, rollback), even an agent whose assignment later names that task_id
 * (so nobody can take an operator's task by creating a session for it). Otherwise a task belongs to the agent of the
 * assignment with that task_id, or else to the first agent that wrote it; other agents get 403. Operators read and
 * write any task; viewers only read. A task nobody has written yet is unclaimed: its first writer claims it (an
 * agent for itself, an operator for the operators).
 */
public final class TaskAccess {

  /** Reading (GET) or writing (PUT, checkpoint, rollback). */
  public enum Mode {
    READ,
    WRITE
  }

  /** A task's owner: one agent, the operators, or nobody yet (unclaimed). */
  public record Owner(String agentId, boolean operators) {

    public static final Owner UNCLAIMED = new Owner(null, false);
    public static final Owner OPERATORS = new Owner(null, true);

    public static Owner agent(String agentId) {
      return agentId == null ? UNCLAIMED : new Owner(agentId, false);
    }

    public boolean unclaimed() {
      return agentId == null && !operators;
    }
  }

  private TaskAccess() {}

  /**
   * The owner: the operators when they wrote the task first, else the assignment's agent if there is one, else the
   * first agent writer, else nobody.
   */
  public static Owner owner(String assignmentAgentId, String firstAgentWriter, boolean operatorOwned) {
    if (operatorOwned) {
      return Owner.OPERATORS;
    }
    return Owner.agent(assignmentAgentId != null ? assignmentAgentId : firstAgentWriter);
  }

  /** Role check that needs no stored data: viewers never write; anyone authenticated may try to read. */
  public static void checkRole(Caller caller, Mode mode) {
    if (mode == Mode.WRITE && !caller.operator() && !caller.agent()) {
      throw ApiException.forbidden("viewers may only read tasks");
    }
    if (!caller.operator() && !caller.viewer() && !caller.agent()) {
      throw ApiException.forbidden("no role that may access tasks");
    }
  }

  /** The full check against the task's owner. */
  public static void check(Caller caller, Mode mode, String taskId, Owner owner) {
    checkRole(caller, mode);
    if (caller.operator() || (caller.viewer() && mode == Mode.READ)) {
      return;
    }
    if (owner.operators()) {
      if (mode == Mode.WRITE) {
        throw ApiException.forbidden("task " + taskId + " is operator-owned: agents may only read it");
      }
      return;
    }
    if (owner.agentId() != null && !caller.isAgent(owner.agentId())) {
      throw ApiException.forbidden("task " + taskId + " belongs to another agent");
    }
  }

  /** Whether this write makes the calling agent the task's owner (an agent writing an unclaimed task). */
  public static boolean claims(Caller caller, Owner owner) {
    return owner.unclaimed() && caller.agent();
  }

  /** Whether this write makes the task operator-owned (an operator writing an unclaimed task). */
  public static boolean claimsForOperators(Caller caller, Owner owner) {
    return owner.unclaimed() && caller.operator() && !caller.agent();
  }
}
