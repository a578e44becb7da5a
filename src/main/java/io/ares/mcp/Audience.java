package io.ares.mcp;

/**
 * Which callers see a tool (SPEC §9). Agents see the agent tools; an agent with the coordinator grant also sees the
 * creation, reading and cancelling of sessions (the service still checks that a session is its own); operators see
 * the operator tools and viewers only the read-only ones. Pure.
 */
enum Audience {
  /** The calling agent itself. */
  AGENT,
  /** Operators, and agents with the coordinator grant. */
  COORDINATOR,
  /** Operators and viewers. */
  STAFF,
  /** Operators, viewers and agents with the coordinator grant. */
  STAFF_OR_COORDINATOR,
  /** Operators and agents with the coordinator grant. */
  OPERATOR_OR_COORDINATOR,
  /** Operators only. */
  OPERATOR;

  boolean admits(McpCaller c) {
    return switch (this) {
      case AGENT -> c.agent();
      case COORDINATOR, OPERATOR_OR_COORDINATOR -> c.operator() || c.coordinator();
      case STAFF -> c.operator() || c.viewer();
      case STAFF_OR_COORDINATOR -> c.operator() || c.viewer() || c.coordinator();
      case OPERATOR -> c.operator();
    };
  }
}
