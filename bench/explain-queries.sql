-- The monitor's queries (src/main/java/io/ares/session/SessionSweeps.java), the long-poll's CLAIM and next-due
-- (src/main/java/io/ares/delivery/DeliveryService.java), plus the two hot statements of the request path (the
-- heartbeat group commit of HeartbeatWriter and the participant choice of DirectCreation.PICK), with
-- the app's parameters given as literals (:now = now()). Writes run in a transaction that is rolled back.
\set ON_ERROR_STOP on
SELECT agent_id AS claim_agent FROM agent_message WHERE open AND type = 'task_delegation' ORDER BY message_id LIMIT 1 \gset
SELECT array_agg(agent_id)::text AS hb_ids, array_agg(token_hash)::text AS hb_hashes
  FROM (SELECT agent_id, token_hash FROM agent WHERE status = 'ACTIVE' ORDER BY md5(agent_id) LIMIT 16) x \gset

\echo '### expiredLeases'
EXPLAIN (ANALYZE, BUFFERS) SELECT agent_id FROM agent WHERE status = 'ACTIVE' AND lease_expires_at <= now()
  ORDER BY lease_expires_at LIMIT 500;

\echo '### markUnresponsive'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM agent WHERE agent_id = 'x-7' AND status = 'ACTIVE' AND lease_expires_at <= now()
  FOR UPDATE SKIP LOCKED;
ROLLBACK;

\echo '### dueAssignments'
EXPLAIN (ANALYZE, BUFFERS)
(SELECT session_id FROM assignment WHERE state IN ('PENDING','DELEGATED') AND ack_deadline <= now() ORDER BY ack_deadline LIMIT 500)
UNION (SELECT session_id FROM assignment WHERE state = 'ACKNOWLEDGED' AND completion_deadline <= now() ORDER BY completion_deadline LIMIT 500)
UNION (SELECT x.session_id FROM assignment x JOIN agent g ON g.agent_id = x.agent_id
       WHERE x.state IN ('PENDING','DELEGATED','ACKNOWLEDGED') AND (g.status = 'UNRESPONSIVE'
       OR (g.status = 'QUARANTINED' AND g.lease_expires_at <= now())) LIMIT 500);

\echo '### pastDeadline'
EXPLAIN (ANALYZE, BUFFERS) SELECT session_id FROM coordination_session WHERE deadline_at IS NOT NULL AND deadline_at <= now()
  AND state IN ('INITIALIZING','IN_PROGRESS') ORDER BY deadline_at LIMIT 500;

\echo '### replacementsDue'
EXPLAIN (ANALYZE, BUFFERS) SELECT DISTINCT session_id FROM (SELECT session_id FROM assignment WHERE retry_due_at IS NOT NULL
  AND replaced_by IS NULL AND retry_due_at <= now() ORDER BY retry_due_at LIMIT 500) due;

\echo '### exhaustedCompensations'
EXPLAIN (ANALYZE, BUFFERS) SELECT DISTINCT session_id FROM (SELECT session_id FROM agent_message WHERE open AND type = 'compensation'
  AND ((deliveries >= 5 AND due_at <= now()) OR coalesce(last_delivered_at, created_at) <= now() - interval '230 seconds')
  ORDER BY due_at LIMIT 500) due;

\echo '### session lock + assignments (engine.load, per due session)'
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM assignment WHERE session_id = (SELECT session_id FROM assignment WHERE assignment_id = md5('a98-2')::uuid);

\echo '### CLAIM (long-poll): DeliveryService.CLAIM_HEAD + DirectTransitions first-delivery CTEs + CLAIM_TAIL, one statement (a group claim of one agent)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS)
WITH ag AS (SELECT DISTINCT x AS agent_id FROM unnest(ARRAY[:'claim_agent']::varchar[]) AS x),
  c AS (SELECT l.message_id FROM ag CROSS JOIN LATERAL (SELECT message_id FROM agent_message
    WHERE agent_id = ag.agent_id AND open AND due_at <= now() + interval '1 minute'
    AND NOT (type = 'compensation' AND deliveries >= 5) ORDER BY message_id LIMIT 100 FOR UPDATE SKIP LOCKED) l),
  d AS (UPDATE agent_message m SET deliveries = m.deliveries + 1, last_delivered_at = now(),
    first_delivered_at = coalesce(m.first_delivered_at, now()), open = m.type IN ('task_delegation', 'compensation'),
    due_at = now() + interval '10 s' FROM c WHERE m.message_id = c.message_id
    RETURNING m.agent_id, m.message_id, m.assignment_id, m.session_id, m.type, m.payload::text AS payload,
      m.deliveries, m.idempotency_key, m.due_at, m.open),
  first_delegations AS (SELECT assignment_id, session_id FROM d WHERE type = 'task_delegation' AND deliveries = 1),
  fd_lock AS (SELECT session_id FROM coordination_session WHERE session_id IN (SELECT session_id FROM first_delegations)
    AND state = 'INITIALIZING' ORDER BY session_id FOR NO KEY UPDATE),
  fd_assignments AS (UPDATE assignment SET state = 'DELEGATED', delegated_at = now(), version = version + 1
    WHERE assignment_id IN (SELECT assignment_id FROM first_delegations) AND state = 'PENDING'
    AND (SELECT count(*) FROM fd_lock) >= 0 RETURNING assignment_id, session_id),
  fd_sessions AS (UPDATE coordination_session SET state = 'IN_PROGRESS', updated_at = now(), version = version + 1
    WHERE session_id IN (SELECT session_id FROM fd_lock) AND (SELECT count(*) FROM fd_assignments) >= 0 RETURNING session_id)
SELECT * FROM (SELECT agent_id, message_id, NULL::timestamptz AS next_due, NULL::bigint AS fd_delegated,
  NULL::bigint AS fd_started FROM d ORDER BY agent_id, message_id) claimed
UNION ALL SELECT ag.agent_id, NULL, least((SELECT min(x.due_at) FROM agent_message x WHERE x.agent_id = ag.agent_id
    AND x.open AND NOT (x.type = 'compensation' AND x.deliveries >= 5) AND x.message_id NOT IN (SELECT message_id FROM d)),
  (SELECT min(y.due_at) FROM d y WHERE y.agent_id = ag.agent_id AND y.open)), NULL, NULL FROM ag
UNION ALL SELECT NULL, NULL, NULL, (SELECT count(*) FROM fd_assignments), (SELECT count(*) FROM fd_sessions);
ROLLBACK;

\echo '### heartbeat group commit, 16 agents (HeartbeatWriter.SQL)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS)

      WITH hb AS (
        SELECT agent_id, token_hash FROM unnest(:'hb_ids'::text[], :'hb_hashes'::bytea[]) AS h(agent_id, token_hash)
      ), prev AS (
        SELECT a.agent_id, a.status AS old_status
        FROM agent a JOIN hb ON a.agent_id = hb.agent_id
        WHERE a.agent_id = ANY(:'hb_ids'::text[])
          AND (hb.token_hash IS NULL OR hb.token_hash = a.token_hash) AND a.status <> 'DEREGISTERED'
        ORDER BY a.agent_id
        FOR NO KEY UPDATE OF a SKIP LOCKED
      ), matched AS (
        SELECT a.agent_id FROM agent a JOIN hb ON a.agent_id = hb.agent_id
        WHERE a.agent_id = ANY(:'hb_ids'::text[])
          AND (hb.token_hash IS NULL OR hb.token_hash = a.token_hash) AND a.status <> 'DEREGISTERED'
      ), upd AS (
        UPDATE agent a SET
          last_heartbeat_at = now(),
          lease_expires_at = now() + make_interval(secs => a.heartbeat_interval_seconds * 3::float8),
          status = CASE WHEN a.status = 'UNRESPONSIVE' THEN 'ACTIVE' ELSE a.status END,
          status_changed_at = CASE WHEN a.status = 'UNRESPONSIVE' THEN now() ELSE a.status_changed_at END,
          version = a.version + CASE WHEN a.status = 'UNRESPONSIVE' THEN 1 ELSE 0 END
        FROM (SELECT DISTINCT agent_id, old_status FROM prev) prev WHERE a.agent_id = prev.agent_id
        RETURNING a.agent_id, a.status, a.lease_expires_at, a.token_hash, prev.old_status
      ), revived AS (
        INSERT INTO agent_status_event (agent_id, from_status, to_status, cause, actor, reason, at)
        SELECT agent_id, 'UNRESPONSIVE', 'ACTIVE', 'SIGN_OF_LIFE', agent_id, NULL, now()
        FROM upd WHERE old_status = 'UNRESPONSIVE'
      )
      SELECT upd.agent_id, upd.status, upd.lease_expires_at, upd.token_hash,
        (SELECT count(*) FROM agent_message m
          WHERE m.agent_id = upd.agent_id AND m.open AND m.due_at <= now()) AS pending
      FROM upd
      UNION ALL
      SELECT DISTINCT m.agent_id, NULL::varchar, NULL::timestamptz, NULL::bytea, -1::bigint FROM matched m
      WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.agent_id = m.agent_id);
ROLLBACK;

\echo '### participant choice (DirectCreation.PICK, first pass)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) SELECT agent_id FROM agent WHERE status = 'ACTIVE' AND capabilities @> ARRAY['bench'::varchar]
  AND open_assignments < max_concurrent_tasks AND agent_id <> ALL(ARRAY[]::varchar[]) AND lease_expires_at > now()
  ORDER BY reliability_score DESC, agent_id
  LIMIT 3 FOR NO KEY UPDATE SKIP LOCKED;
ROLLBACK;

\echo '### token lookup (every agent request)'
EXPLAIN (ANALYZE, BUFFERS) SELECT agent_id, status FROM agent WHERE token_hash = sha256(convert_to('tok-5', 'UTF8')) AND status <> 'DEREGISTERED';
\echo '### end'
