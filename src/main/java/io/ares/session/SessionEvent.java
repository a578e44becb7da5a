package io.ares.session;

/** What moves a session. */
public enum SessionEvent {
  /** The first assignment was delivered to its agent. */
  FIRST_DELIVERY,
  /** The quorum of assignments is VALIDATED. */
  QUORUM_VALIDATED,
  /** VALIDATED + open + replacements due fell below the quorum. */
  QUORUM_UNREACHABLE,
  /** The coordinator or an operator cancelled it. */
  CANCEL,
  /** deadline_at passed. */
  DEADLINE_PASSED,
  /** Every owed compensation settled and all are COMPENSATED (or nothing was owed). */
  COMPENSATIONS_SETTLED,
  /** Every owed compensation settled and one or more is COMPENSATION_FAILED. */
  COMPENSATIONS_SETTLED_WITH_FAILURES,
  /** An operator retries the failed compensations. */
  RETRY_COMPENSATION
}
