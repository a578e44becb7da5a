package io.ares.checkpoint;

import io.ares.platform.ApiException;
import io.ares.platform.security.Caller;

/**
 * Who may do what to a task (SPEC §2, §3). Pure.
 *
 * <p>A task belongs to the agent of the assignment with that task_id, or else to the first agent that wrote
 * it (state or schema). Its agent reads and writes it; other agents get 403. Operators read and write any
 * task; viewers only read. A task no agent has written yet (new, or written only by operators) is
 * unclaimed: the first agent to write it becomes its owner.
 */
public final class TaskAccess {

  /** Reading (GET) or writing (PUT, checkpoint, rollback). */
  public enum Mode {
    READ,
    WRITE
  }

  private TaskAccess() {}

  /** The owning agent: the assignment's agent if there is one, else the first agent writer, else null. */
  public static String owner(String assignmentAgentId, String firstAgentWriter) {
    return assignmentAgentId != null ? assignmentAgentId : firstAgentWriter;
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

  /** The full check against the task's owner (null when unclaimed). */
  public static void check(Caller caller, Mode mode, String taskId, String owner) {
    checkRole(caller, mode);
    if (caller.operator() || (caller.viewer() && mode == Mode.READ)) {
      return;
    }
    if (owner != null && !caller.isAgent(owner)) {
      throw ApiException.forbidden("task " + taskId + " belongs to another agent");
    }
  }

  /** Whether this write makes the caller the task's owner (an agent writing an unclaimed task). */
  public static boolean claims(Caller caller, String owner) {
    return owner == null && caller.agent();
  }
}
