package io.ares.session;

/** Coordination session states (SPEC §2). */
public enum SessionState {
  INITIALIZING,
  IN_PROGRESS,
  COMPLETED,
  COMPENSATING,
  ROLLED_BACK,
  COMPENSATION_FAILED;

  public boolean isOpen() {
    return this == INITIALIZING || this == IN_PROGRESS;
  }
}
