package io.ares.platform.fsm;

import io.ares.platform.ApiException;
import java.util.List;

/** A (state, event) pair that is not in a machine's table: 409 INVALID_TRANSITION. */
public class InvalidTransitionException extends ApiException {

  private final String currentState;
  private final List<String> allowedNextStates;

  public InvalidTransitionException(String machine, String current, String event, List<String> allowed) {
    super(409, "INVALID_TRANSITION", machine + " in state " + current + " does not accept " + event);
    this.currentState = current;
    this.allowedNextStates = allowed;
    with("current_state", current);
    with("allowed_next_states", allowed);
  }

  public String currentState() {
    return currentState;
  }

  public List<String> allowedNextStates() {
    return allowedNextStates;
  }
}
