package io.ares.delivery;

import io.vertx.mutiny.sqlclient.Row;

/**
 * Lets the sessions feature react, inside the claiming statement, to first deliveries of delegations. The claim is
 * one SQL statement (see {@link DeliveryService#CLAIM_HEAD}); the hook adds its own common table expressions to it, which
 * read {@code first_delegations(assignment_id, session_id)} (the delegations delivered for the first time by this
 * claim) and may use {@code $2} (now, a timestamptz), and reports what they did through extra columns of the
 * statement's last row.
 */
public interface DeliveryHook {

  /** Common table expressions, each written {@code , name AS (…)}, run with the claim. */
  String firstDeliveryCtes();

  /** Extra bigint columns of the claim's last row: name → expression (e.g. {@code (SELECT count(*) FROM x)}). */
  java.util.Map<String, String> resultColumns();

  /** Reads those columns after the claim committed (metrics). */
  void afterClaim(Row last);
}
