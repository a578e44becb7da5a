package io.ares.session;

import static io.ares.session.SessionState.COMPENSATING;
import static io.ares.session.SessionState.COMPENSATION_FAILED;
import static io.ares.session.SessionState.COMPLETED;
import static io.ares.session.SessionState.INITIALIZING;
import static io.ares.session.SessionState.IN_PROGRESS;
import static io.ares.session.SessionState.ROLLED_BACK;

import io.ares.platform.fsm.TransitionTable;

/** The session state machine of SPEC §2: the only place its transitions are written down. */
public final class SessionMachine {

  public static final TransitionTable<SessionState, SessionEvent> TABLE =
      TransitionTable.builder("session", SessionState.class, SessionEvent.class)
          .on(SessionEvent.FIRST_DELIVERY, IN_PROGRESS, INITIALIZING)
          .on(SessionEvent.QUORUM_VALIDATED, COMPLETED, INITIALIZING, IN_PROGRESS)
          .on(SessionEvent.QUORUM_UNREACHABLE, COMPENSATING, INITIALIZING, IN_PROGRESS)
          .on(SessionEvent.CANCEL, COMPENSATING, INITIALIZING, IN_PROGRESS)
          .on(SessionEvent.DEADLINE_PASSED, COMPENSATING, INITIALIZING, IN_PROGRESS)
          .on(SessionEvent.COMPENSATIONS_SETTLED, ROLLED_BACK, COMPENSATING)
          .on(SessionEvent.COMPENSATIONS_SETTLED_WITH_FAILURES, COMPENSATION_FAILED, COMPENSATING)
          .on(SessionEvent.RETRY_COMPENSATION, COMPENSATING, COMPENSATION_FAILED)
          .build();

  private SessionMachine() {}
}
