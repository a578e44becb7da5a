-- Coordinator grant (SPEC §3): an agent creates sessions only with it. Existing deployments keep working: every
-- agent that has already coordinated a session gets it. Cold data, read once per session creation.
ALTER TABLE agent ADD COLUMN coordinator BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE agent SET coordinator = TRUE
 WHERE agent_id IN (SELECT DISTINCT coordinator_id FROM coordination_session
                     WHERE coordinator_id NOT LIKE 'operator:%');
