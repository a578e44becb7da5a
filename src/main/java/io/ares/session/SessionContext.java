package io.ares.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/** A session and all its assignments, loaded (and locked) for one transaction. */
public final class SessionContext {

  public final CoordinationSession session;
  public final List<Assignment> assignments;
  /** Agents to wake when the transaction commits. */
  final Set<String> wake = new LinkedHashSet<>();
  /** Reliability outcomes produced by this transaction. */
  final List<Outcome> outcomes = new ArrayList<>();
  /** Agents whose capacity an assignment closed in this transaction gives back (one entry per assignment). */
  final List<String> releases = new ArrayList<>();
  /** Compensated tasks to roll back to their oldest checkpoint. */
  final List<Assignment> compensated = new ArrayList<>();

  public SessionContext(CoordinationSession session, List<Assignment> assignments) {
    this.session = session;
    this.assignments = new ArrayList<>(assignments);
    // Creation order; a session's first assignments share their creation time, so then by slot and attempt.
    this.assignments.sort(Comparator.comparing((Assignment a) -> a.createdAt).thenComparingInt(a -> a.slot)
        .thenComparingInt(a -> a.attempt).thenComparing(a -> a.assignmentId));
  }

  public Optional<Assignment> find(UUID assignmentId) {
    return assignments.stream().filter(a -> a.assignmentId.equals(assignmentId)).findFirst();
  }

  Stream<Assignment> inState(Set<AssignmentState> states) {
    return assignments.stream().filter(a -> states.contains(a.state));
  }

  long count(AssignmentState s) {
    return assignments.stream().filter(a -> a.state == s).count();
  }

  long openCount() {
    return inState(AssignmentState.OPEN).count();
  }

  /** Unsuccessful assignments whose replacement is still due. */
  long replacementsDue() {
    return assignments.stream().filter(a -> a.retryDueAt != null && a.replacedBy == null).count();
  }

  /** Something for the reliability record. */
  public record Outcome(
      String agentId, String kind, UUID assignmentId, UUID sessionId, Long responseTimeMs, String detail) {}
}
