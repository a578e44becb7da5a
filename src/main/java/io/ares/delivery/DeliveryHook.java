package io.ares.delivery;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.List;

/** Lets the sessions feature react, inside the claiming transaction (on its connection), to first deliveries. */
public interface DeliveryHook {

  Uni<Void> onFirstDelivery(SqlConnection conn, List<AgentMessage> delegations);
}
