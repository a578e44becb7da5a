-- Agents: the registry, leases and bearer-token hashes.
CREATE TABLE agent (
    agent_id                   VARCHAR(64)  PRIMARY KEY,
    name                       VARCHAR(200) NOT NULL,
    capabilities               VARCHAR(128)[] NOT NULL DEFAULT '{}',
    heartbeat_interval_seconds INTEGER      NOT NULL,
    max_concurrent_tasks       INTEGER      NOT NULL,
    proof_requirements         VARCHAR(128)[] NOT NULL DEFAULT '{}',
    metadata                   JSONB        NOT NULL DEFAULT '{}'::jsonb,
    status                     VARCHAR(16)  NOT NULL,
    token_hash                 BYTEA        NOT NULL,
    registered_at              TIMESTAMPTZ  NOT NULL,
    last_heartbeat_at          TIMESTAMPTZ,
    lease_expires_at           TIMESTAMPTZ  NOT NULL,
    reliability_score          DOUBLE PRECISION NOT NULL,
    open_assignments           INTEGER      NOT NULL DEFAULT 0,
    status_changed_at          TIMESTAMPTZ  NOT NULL,
    deregistered_at            TIMESTAMPTZ,
    version                    BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT agent_status_chk CHECK (status IN ('ACTIVE','UNRESPONSIVE','QUARANTINED','DEREGISTERED'))
);
-- Token lookup is one index probe (hash of the presented token), never a scan.
CREATE UNIQUE INDEX agent_token_hash_idx ON agent (token_hash);
-- The monitor finds expired leases of ACTIVE agents through this index only.
CREATE INDEX agent_active_lease_idx ON agent (lease_expires_at) WHERE status = 'ACTIVE';
CREATE INDEX agent_status_idx ON agent (status, agent_id);
CREATE INDEX agent_capabilities_idx ON agent USING GIN (capabilities);

-- Every change of an agent's status, with its cause (enforcement history, console timeline).
CREATE TABLE agent_status_event (
    seq         BIGSERIAL    PRIMARY KEY,
    agent_id    VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    from_status VARCHAR(16),
    to_status   VARCHAR(16)  NOT NULL,
    cause       VARCHAR(64)  NOT NULL,
    actor       VARCHAR(200) NOT NULL,
    reason      TEXT,
    at          TIMESTAMPTZ  NOT NULL
);
CREATE INDEX agent_status_event_agent_idx ON agent_status_event (agent_id, seq);
