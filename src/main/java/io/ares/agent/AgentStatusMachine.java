package io.ares.agent;

import static io.ares.agent.AgentStatus.ACTIVE;
import static io.ares.agent.AgentStatus.DEREGISTERED;
import static io.ares.agent.AgentStatus.QUARANTINED;
import static io.ares.agent.AgentStatus.UNRESPONSIVE;

import io.ares.platform.fsm.TransitionTable;

/** The agent status machine of SPEC §2, as one table. */
public final class AgentStatusMachine {

  public static final TransitionTable<AgentStatus, AgentEvent> TABLE =
      TransitionTable.builder("agent", AgentStatus.class, AgentEvent.class)
          .on(AgentEvent.LEASE_EXPIRED, UNRESPONSIVE, ACTIVE)
          .on(AgentEvent.SIGN_OF_LIFE, ACTIVE, UNRESPONSIVE)
          .on(AgentEvent.ENFORCE, QUARANTINED, ACTIVE, UNRESPONSIVE)
          .on(AgentEvent.RELEASE, ACTIVE, QUARANTINED)
          .on(AgentEvent.RELEASE_LEASE_EXPIRED, UNRESPONSIVE, QUARANTINED)
          .on(AgentEvent.DEREGISTER, DEREGISTERED, ACTIVE, UNRESPONSIVE, QUARANTINED)
          .build();

  private AgentStatusMachine() {}
}
