-- The console's "recent failures" reads the newest changed sessions among the failed ones.
CREATE INDEX session_failed_updated_idx ON coordination_session (updated_at DESC)
    WHERE state IN ('COMPENSATING', 'ROLLED_BACK', 'COMPENSATION_FAILED');
-- Agents list: filter by status, ordered by registration.
CREATE INDEX agent_registered_idx ON agent (registered_at, agent_id);
