package io.ares.session;

import java.util.EnumSet;
import java.util.Set;

/** Assignment states (SPEC §2). */
public enum AssignmentState {
  PENDING,
  DELEGATED,
  ACKNOWLEDGED,
  SUBMITTED,
  VALIDATED,
  REJECTED,
  FAILED,
  TIMED_OUT,
  CANCELLED,
  COMPENSATING,
  COMPENSATED,
  COMPENSATION_FAILED;

  /** Work not yet finished: counts against the agent's capacity and towards a quorum. */
  public static final Set<AssignmentState> OPEN = EnumSet.of(PENDING, DELEGATED, ACKNOWLEDGED);

  /** Ended without valid work: may be replaced when the retry policy allows. */
  public static final Set<AssignmentState> UNSUCCESSFUL = EnumSet.of(REJECTED, FAILED, TIMED_OUT);

  /** Work that was validated and is (or was) owed a compensation when its session rolls back. */
  public static final Set<AssignmentState> OWED = EnumSet.of(VALIDATED, COMPENSATING, COMPENSATED, COMPENSATION_FAILED);

  public boolean isOpen() {
    return OPEN.contains(this);
  }
}
