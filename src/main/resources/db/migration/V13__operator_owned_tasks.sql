-- A task whose first write came from an operator stays operator-owned (SPEC §3): agents may read it, never write it,
-- and no assignment naming its task_id later hands it to an agent.
ALTER TABLE task_state ADD COLUMN operator_owned BOOLEAN NOT NULL DEFAULT false;

-- Existing tasks that no agent owns were written only by operators (an agent's first write records it as the owner,
-- unless an assignment names the task, in which case the assignment's agent owns it and stays its owner).
UPDATE task_state t SET operator_owned = true
 WHERE t.owner_agent_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.task_id = t.task_id);
