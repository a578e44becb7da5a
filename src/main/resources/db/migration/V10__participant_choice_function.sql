-- The participant choice by capability, for the one-statement session creation (DirectCreation.CREATE_BY_CAPABILITY).
-- Its best plan depends on the call's values: a common capability is found by walking agent_choice_idx in score
-- order and stopping at the first few free agents, a rare one through the GIN index on capabilities. As part of the
-- creation statement, a prepared statement of the pool, PostgreSQL settled on a generic plan that read and sorted
-- every agent (a sequential scan, 348 buffers per creation in the sessions benchmark, 6 ms per statement); planning
-- the whole creation statement on every call would cost far more than planning this one query. EXECUTE ... USING
-- plans the choice afresh, with the call's values, each time it runs; the rows it locks stay locked by the calling
-- statement's transaction. Rows another transaction holds are skipped (SKIP LOCKED), as in the first pass of the
-- two-statement path.
CREATE FUNCTION ares_choose_agents(p_capability varchar, p_now timestamptz, p_count int)
  RETURNS TABLE (chosen varchar)
  LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  RETURN QUERY EXECUTE $q$
    SELECT a.agent_id::varchar FROM agent a
     WHERE a.status = 'ACTIVE' AND a.capabilities @> ARRAY[$1] AND a.open_assignments < a.max_concurrent_tasks
       AND a.lease_expires_at > $2
     ORDER BY a.reliability_score DESC, a.agent_id
     LIMIT $3
     FOR NO KEY UPDATE SKIP LOCKED$q$
    USING p_capability, p_now, p_count;
END
$fn$;
