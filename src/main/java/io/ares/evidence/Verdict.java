package io.ares.evidence;

import java.util.List;

/** The engine's judgement of one evidence submission. */
public record Verdict(boolean completionValid, boolean proofValid, List<String> reasons) {

  public boolean overallSuccess() {
    return completionValid && proofValid;
  }
}
