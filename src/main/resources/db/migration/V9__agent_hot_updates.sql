-- An agent's capacity counter (open_assignments) changes twice per assignment (taken at creation, given back at the
-- end). V7 put it in the participant-choice index, which made every one of those updates a non-HOT update: a new
-- entry in every index of the table, the GIN index on capabilities included. Under load the choice index then held
-- tens of thousands of dead entries at its top, and the choice walked them all (BENCHMARKS.md, "sessions": 24,000
-- index entries read per choice, 88 million in 30 s). The index now orders by score and id, which is the choice's
-- order (best score first, ties by id; free capacity is a filter, no longer a tie-break), so the choice still stops
-- at the first few eligible agents; capacity updates are HOT again (no index column changes), with room left in each
-- page for them.
DROP INDEX IF EXISTS agent_choice_idx;
CREATE INDEX agent_choice_idx ON agent (reliability_score DESC, agent_id) WHERE status = 'ACTIVE';
ALTER TABLE agent SET (fillfactor = 50);
