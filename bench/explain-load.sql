-- Bulk load for bench/explain.sh, straight into the schema the app migrated (V1..V4).
-- psql variables: alo, ahi (agent numbers), slo, shi (session numbers). Agents x-<n>, token 'tok-<n>'.
-- The mix: 1 % of agents UNRESPONSIVE, 0.4 % DEREGISTERED; sessions 95 % COMPLETED, 3 % ROLLED_BACK, 2 % IN_PROGRESS
-- (their assignments open, with a deadline 1 h ahead). The work DUE for the monitor is a fixed handful, all among the
-- first 10,000 rows, so that it is the same at 10,000 and at 100,000 rows: 10 ACTIVE agents with an expired lease,
-- 10 assignments past their ack deadline and 10 past their completion deadline, 5 sessions past their deadline,
-- 20 exhausted compensation orders. Open assignments never belong to UNRESPONSIVE agents.
\set ON_ERROR_STOP on
INSERT INTO agent (agent_id, name, capabilities, heartbeat_interval_seconds, max_concurrent_tasks, status, token_hash,
                   registered_at, last_heartbeat_at, lease_expires_at, reliability_score, open_assignments,
                   status_changed_at, deregistered_at)
SELECT 'x-' || g, 'agent ' || g, ARRAY['bench', 'cap-' || (g % 10)]::varchar[], 10, 4,
       CASE WHEN g % 100 = 0 THEN 'UNRESPONSIVE' WHEN g % 250 = 1 THEN 'DEREGISTERED' ELSE 'ACTIVE' END,
       sha256(convert_to('tok-' || g, 'UTF8')), now() - interval '2 days', now() - interval '5 seconds',
       CASE WHEN g % 100 = 0 THEN now() - interval '1 hour'
            WHEN g % 1000 = 7 AND g <= 10000 THEN now() - interval '2 seconds'
            ELSE now() + interval '1 hour' + (g % 30) * interval '1 second' END,
       0.3 + (g % 70) / 100.0, 0, now() - interval '1 day',
       CASE WHEN g % 250 = 1 THEN now() - interval '1 day' END
FROM generate_series(:alo, :ahi) g;

INSERT INTO coordination_session (session_id, state, coordinator_id, task, quorum, participants, capability,
                                  deadline_at, cause, created_at, updated_at, ended_at)
SELECT md5('s' || g)::uuid,
       CASE WHEN g % 100 < 95 THEN 'COMPLETED' WHEN g % 100 < 98 THEN 'ROLLED_BACK' ELSE 'IN_PROGRESS' END,
       'operator:admin', '{"type": "bench", "input": {}}'::jsonb, 3, 3, 'bench',
       CASE WHEN g % 10 = 8 THEN (CASE WHEN g % 100 = 98 AND g <= 500 THEN now() - interval '1 second' ELSE now() + interval '1 hour' END) END,
       CASE WHEN g % 100 < 95 THEN 'QUORUM_VALIDATED' WHEN g % 100 < 98 THEN 'CANCELLED' END,
       now() - (:shi - g) * interval '100 milliseconds', now(),
       CASE WHEN g % 100 < 98 THEN now() - (:shi - g) * interval '100 milliseconds' + interval '2 seconds' END
FROM generate_series(:slo, :shi) g;

INSERT INTO assignment (assignment_id, session_id, agent_id, task_id, state, attempt, slot, created_at, delegated_at,
                        acked_at, submitted_at, validated_at, ended_at, ack_deadline, completion_deadline, validation_seq,
                        compensation_key, compensation_rounds, compensated_at)
SELECT md5('a' || g || '-' || k)::uuid, md5('s' || g)::uuid, 'x-' || n, md5('t' || g || '-' || k),
       CASE WHEN g % 100 < 95 THEN 'VALIDATED' WHEN g % 100 < 98 THEN 'COMPENSATED'
            WHEN k = 0 THEN 'VALIDATED' WHEN k = 1 THEN 'ACKNOWLEDGED' ELSE 'DELEGATED' END,
       1, k, c, c + interval '5 milliseconds', c + interval '10 milliseconds',
       CASE WHEN g % 100 < 98 OR k = 0 THEN c + interval '20 milliseconds' END,
       CASE WHEN g % 100 < 98 OR k = 0 THEN c + interval '20 milliseconds' END,
       CASE WHEN g % 100 < 98 THEN c + interval '2 seconds' END,
       CASE WHEN g % 100 >= 98 AND k = 2 THEN (CASE WHEN g % 100 = 98 AND g <= 1000 THEN now() - interval '1 second'
                                                    ELSE now() + interval '1 hour' END)
            ELSE c + interval '60 seconds' END,
       CASE WHEN g % 100 >= 98 AND k = 1 THEN (CASE WHEN g % 100 = 99 AND g <= 1000 THEN now() - interval '1 second'
                                                    ELSE now() + interval '1 hour' END)
            WHEN g % 100 < 98 OR k = 1 THEN c + interval '10 minutes' END,
       CASE WHEN g % 100 < 98 OR k = 0 THEN g * 3 + k END,
       CASE WHEN g % 100 BETWEEN 95 AND 97 THEN 'comp-' || md5('a' || g || '-' || k) || '-1' END,
       CASE WHEN g % 100 BETWEEN 95 AND 97 THEN 1 ELSE 0 END,
       CASE WHEN g % 100 BETWEEN 95 AND 97 THEN c + interval '3 seconds' END
FROM generate_series(:slo, :shi) g
CROSS JOIN generate_series(0, 2) k
CROSS JOIN LATERAL (SELECT now() - (:shi - g) * interval '100 milliseconds' AS c,
                           CASE WHEN (1 + (g * 3 + k) % :ahi) % 100 = 0 THEN (1 + (g * 3 + k) % :ahi) - 2
                                ELSE 1 + (g * 3 + k) % :ahi END AS n) t;

-- Outbox: one delegation per assignment (open only while not acked), one compensation per compensated assignment;
-- a few compensation orders exhausted and due (the monitor's exhaustedCompensations sweep).
INSERT INTO agent_message (agent_id, assignment_id, session_id, type, payload, open, due_at, deliveries,
                           first_delivered_at, last_delivered_at, created_at, idempotency_key)
SELECT a.agent_id, md5('a' || g || '-' || k)::uuid, md5('s' || g)::uuid, 'task_delegation',
       '{}'::jsonb, g % 100 >= 98 AND k = 2,
       CASE WHEN g % 100 >= 98 AND k = 2 THEN now() + interval '10 seconds' ELSE c + interval '10 seconds' END,
       1, c, c, c, NULL
FROM generate_series(:slo, :shi) g
CROSS JOIN generate_series(0, 2) k
CROSS JOIN LATERAL (SELECT now() - (:shi - g) * interval '100 milliseconds' AS c) t
JOIN assignment a ON a.assignment_id = md5('a' || g || '-' || k)::uuid;

INSERT INTO agent_message (agent_id, assignment_id, session_id, type, payload, open, due_at, deliveries,
                           first_delivered_at, last_delivered_at, created_at, idempotency_key)
SELECT a.agent_id, md5('a' || g || '-' || k)::uuid, md5('s' || g)::uuid, 'compensation',
       '{}'::jsonb, d, CASE WHEN d THEN now() - interval '1 second' ELSE c + interval '3 seconds' END,
       CASE WHEN d THEN 5 ELSE 1 END, c, c, c, 'comp-' || md5('a' || g || '-' || k) || '-1'
FROM generate_series(:slo, :shi) g
CROSS JOIN generate_series(0, 2) k
CROSS JOIN LATERAL (SELECT now() - (:shi - g) * interval '100 milliseconds' + interval '2 seconds' AS c,
                           g % 100 = 96 AND g <= 2000 AND k <= 0 AS d) t
JOIN assignment a ON a.assignment_id = md5('a' || g || '-' || k)::uuid
WHERE g % 100 BETWEEN 95 AND 97;

-- The timeline: every transition of every session and assignment (18 rows per completed session).
INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at)
SELECT md5('s' || g)::uuid, 'session', md5('s' || g)::uuid, f, t, 'BENCH', 'ares', now() - (:shi - g) * interval '100 milliseconds'
FROM generate_series(:slo, :shi) g
CROSS JOIN LATERAL (VALUES (NULL, 'INITIALIZING'), ('INITIALIZING', 'IN_PROGRESS'),
                           ('IN_PROGRESS', CASE WHEN g % 100 < 95 THEN 'COMPLETED' ELSE 'COMPENSATING' END)) v(f, t)
WHERE g % 100 < 98 OR f IS NULL OR f = 'INITIALIZING';

INSERT INTO session_event (session_id, entity, entity_id, from_state, to_state, cause, actor, at)
SELECT md5('s' || g)::uuid, 'assignment', md5('a' || g || '-' || k)::uuid, f, t, 'BENCH', 'ares',
       now() - (:shi - g) * interval '100 milliseconds'
FROM generate_series(:slo, :shi) g
CROSS JOIN generate_series(0, 2) k
CROSS JOIN LATERAL (VALUES (1, NULL, 'PENDING'), (2, 'PENDING', 'DELEGATED'), (3, 'DELEGATED', 'ACKNOWLEDGED'),
                           (4, 'ACKNOWLEDGED', 'SUBMITTED'), (5, 'SUBMITTED', 'VALIDATED')) v(n, f, t)
WHERE g % 100 < 98 OR (k = 0) OR (k = 1 AND n <= 3) OR (k = 2 AND n <= 2);
