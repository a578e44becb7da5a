-- The participant choice and capacity reservation by capability, for the one-statement session creation
-- (DirectCreation.CREATE_BY_CAPABILITY). The choice's best plan depends on the call's values: a common capability is
-- found by walking agent_choice_idx in score order and stopping at the first few free agents, a rare one through the
-- GIN index on capabilities. As part of the creation statement, a prepared statement of the pool, PostgreSQL settled
-- on a generic plan that read and sorted every agent (a sequential scan, 348 buffers per creation in the sessions
-- benchmark, 6 ms per statement); planning the whole creation statement on every call would cost far more than
-- planning this one query. EXECUTE ... USING plans the choice afresh, with the call's values, each time it runs.
--
-- The reservation is made here too, after the choice, by a statement of its own: it sees the chosen rows as they are
-- now (locked by this transaction, so unchanged since they were chosen). The calling statement's own snapshot is
-- older than the choice's, so an UPDATE there would miss a row that became free, or was registered, in between.
-- Either all p_count agents are chosen and reserved, or none is (fewer free rows: nothing is returned, the caller
-- takes its two-statement path, which also waits for rows other transactions hold). Rows another transaction holds
-- are skipped (SKIP LOCKED).
CREATE FUNCTION ares_choose_and_reserve(p_capability varchar, p_now timestamptz, p_count int)
  RETURNS TABLE (chosen varchar, score double precision)
  LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  ids varchar[];
  reserved bigint;
BEGIN
  EXECUTE $q$
    SELECT array_agg(c.agent_id) FROM (
      SELECT a.agent_id FROM agent a
       WHERE a.status = 'ACTIVE' AND a.capabilities @> ARRAY[$1] AND a.open_assignments < a.max_concurrent_tasks
         AND a.lease_expires_at > $2
       ORDER BY a.reliability_score DESC, a.agent_id
       LIMIT $3
       FOR NO KEY UPDATE SKIP LOCKED) c$q$
    INTO ids USING p_capability, p_now, p_count;
  IF coalesce(cardinality(ids), 0) < p_count THEN
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE agent a SET open_assignments = a.open_assignments + 1
     WHERE a.agent_id = ANY(ids) AND a.open_assignments < a.max_concurrent_tasks
    RETURNING a.agent_id::varchar, a.reliability_score::double precision;
  GET DIAGNOSTICS reserved = ROW_COUNT;
  IF reserved < p_count THEN
    -- Cannot happen (the rows are locked and were free when locked); never leave a partial reservation behind.
    RAISE EXCEPTION 'reserved % of % chosen agents', reserved, p_count USING ERRCODE = 'serialization_failure';
  END IF;
END
$fn$;
