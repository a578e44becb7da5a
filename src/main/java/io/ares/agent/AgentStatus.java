package io.ares.agent;

/** Agent status (SPEC §2). */
public enum AgentStatus {
  ACTIVE,
  UNRESPONSIVE,
  QUARANTINED,
  DEREGISTERED
}
