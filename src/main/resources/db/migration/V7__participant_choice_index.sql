-- The participant choice of capability sessions (DirectCreation.PICK, and the replacement choice) walks ACTIVE agents
-- best score first, most free capacity next, then by id, and stops at the few it needs: this index is that order, so
-- the choice no longer sorts every agent (a sequential scan: 150 ms at 100,000 agents, see BENCHMARKS.md "explain").
CREATE INDEX IF NOT EXISTS agent_choice_idx
    ON agent (reliability_score DESC, (max_concurrent_tasks - open_assignments) DESC, agent_id)
    WHERE status = 'ACTIVE';
