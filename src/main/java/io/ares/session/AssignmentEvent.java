package io.ares.session;

/** What moves an assignment. */
public enum AssignmentEvent {
  /** First included in a long-poll answer or a push. */
  DELIVER,
  ACK,
  /** Evidence received (an ack is implied). */
  SUBMIT_EVIDENCE,
  EVIDENCE_VALID,
  EVIDENCE_INVALID,
  REPORT_FAILURE,
  /** Ack or completion timeout, or the agent became UNRESPONSIVE or was DEREGISTERED. */
  TIME_OUT,
  /** The session left INITIALIZING/IN_PROGRESS. */
  CANCEL,
  ISSUE_COMPENSATION,
  CONFIRM_COMPENSATED,
  /** The agent confirmed not ok, attempts were exhausted, or the agent was DEREGISTERED. */
  COMPENSATION_FAILURE,
  RETRY_COMPENSATION
}
