package io.ares.session;

import static io.ares.session.AssignmentState.ACKNOWLEDGED;
import static io.ares.session.AssignmentState.CANCELLED;
import static io.ares.session.AssignmentState.COMPENSATED;
import static io.ares.session.AssignmentState.COMPENSATING;
import static io.ares.session.AssignmentState.COMPENSATION_FAILED;
import static io.ares.session.AssignmentState.DELEGATED;
import static io.ares.session.AssignmentState.FAILED;
import static io.ares.session.AssignmentState.PENDING;
import static io.ares.session.AssignmentState.REJECTED;
import static io.ares.session.AssignmentState.SUBMITTED;
import static io.ares.session.AssignmentState.TIMED_OUT;
import static io.ares.session.AssignmentState.VALIDATED;

import io.ares.platform.fsm.TransitionTable;

/** The assignment state machine of SPEC §2: the only place its transitions are written down. */
public final class AssignmentMachine {

  public static final TransitionTable<AssignmentState, AssignmentEvent> TABLE =
      TransitionTable.builder("assignment", AssignmentState.class, AssignmentEvent.class)
          .on(AssignmentEvent.DELIVER, DELEGATED, PENDING)
          .on(AssignmentEvent.ACK, ACKNOWLEDGED, DELEGATED)
          .on(AssignmentEvent.SUBMIT_EVIDENCE, SUBMITTED, DELEGATED, ACKNOWLEDGED)
          .on(AssignmentEvent.EVIDENCE_VALID, VALIDATED, SUBMITTED)
          .on(AssignmentEvent.EVIDENCE_INVALID, REJECTED, SUBMITTED)
          .on(AssignmentEvent.REPORT_FAILURE, FAILED, PENDING, DELEGATED, ACKNOWLEDGED)
          .on(AssignmentEvent.TIME_OUT, TIMED_OUT, PENDING, DELEGATED, ACKNOWLEDGED)
          .on(AssignmentEvent.CANCEL, CANCELLED, PENDING, DELEGATED, ACKNOWLEDGED)
          .on(AssignmentEvent.ISSUE_COMPENSATION, COMPENSATING, VALIDATED)
          .on(AssignmentEvent.CONFIRM_COMPENSATED, COMPENSATED, COMPENSATING)
          .on(AssignmentEvent.COMPENSATION_FAILURE, COMPENSATION_FAILED, COMPENSATING)
          .on(AssignmentEvent.RETRY_COMPENSATION, COMPENSATING, COMPENSATION_FAILED)
          .build();

  private AssignmentMachine() {}
}
