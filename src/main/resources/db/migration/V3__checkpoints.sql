-- Per-task state, its JSON Schema validator, hash-chained checkpoints and the rollback history (SPEC §2).

-- One row per task: the current state (a JSON object), the optional validator and the task's counters.
-- Every write to a task updates this row under optimistic locking (version), so concurrent writers of one
-- task are serialised: a lost race is a 409, never a silent overwrite.
CREATE TABLE task_state (
    task_id              VARCHAR(128) PRIMARY KEY,
    -- The agent that first wrote the task (null while only operators wrote it). An assignment with this
    -- task_id overrides it: the task then belongs to the assignment's agent.
    owner_agent_id       VARCHAR(64)  REFERENCES agent (agent_id),
    state                JSONB,
    json_schema          JSONB,
    checkpoint_count     INTEGER      NOT NULL DEFAULT 0,
    rollback_count       INTEGER      NOT NULL DEFAULT 0,
    -- The latest checkpoint event: the newest checkpoint taken or the one last restored, whichever came later.
    event_checkpoint_id  UUID,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    updated_by           VARCHAR(200) NOT NULL,
    version              BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT task_state_is_object_chk CHECK (state IS NULL OR jsonb_typeof(state) = 'object'),
    CONSTRAINT task_schema_is_object_chk CHECK (json_schema IS NULL OR jsonb_typeof(json_schema) = 'object')
);
CREATE INDEX task_state_owner_idx ON task_state (owner_agent_id) WHERE owner_agent_id IS NOT NULL;

-- Checkpoints: copies of the state, chained by hash. Never updated or deleted by the engine.
-- hash = lowercase hex SHA-256 of the state's RFC 8785 canonical JSON;
-- previous_hash = hash of the task's checkpoint seq - 1 (null for seq 1).
CREATE TABLE task_checkpoint (
    checkpoint_id  UUID         PRIMARY KEY,
    task_id        VARCHAR(128) NOT NULL REFERENCES task_state (task_id),
    seq            INTEGER      NOT NULL,
    state          JSONB        NOT NULL,
    hash           VARCHAR(64)  NOT NULL,
    previous_hash  VARCHAR(64),
    created_at     TIMESTAMPTZ  NOT NULL,
    created_by     VARCHAR(200) NOT NULL,
    CONSTRAINT task_checkpoint_seq_uq UNIQUE (task_id, seq)
);

-- Rollbacks: which checkpoint was restored, when, by whom and why (newest first by seq).
CREATE TABLE task_rollback (
    rollback_id     UUID         PRIMARY KEY,
    task_id         VARCHAR(128) NOT NULL REFERENCES task_state (task_id),
    seq             INTEGER      NOT NULL,
    checkpoint_id   UUID         NOT NULL REFERENCES task_checkpoint (checkpoint_id),
    hash            VARCHAR(64)  NOT NULL,
    reason          TEXT,
    actor           VARCHAR(200) NOT NULL,
    rolled_back_at  TIMESTAMPTZ  NOT NULL,
    CONSTRAINT task_rollback_seq_uq UNIQUE (task_id, seq)
);
