package io.ares.delivery;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Lets the sessions feature react, inside the claiming transaction, to messages delivered for the first time. */
public interface DeliveryHook {

  Uni<Void> onFirstDelivery(List<AgentMessage> delegations);
}
