-- Coordination sessions, their assignments, the event log and the agents' message outbox.
CREATE TABLE coordination_session (
    session_id        UUID         PRIMARY KEY,
    state             VARCHAR(32)  NOT NULL,
    coordinator_id    VARCHAR(200) NOT NULL,
    task              JSONB        NOT NULL,
    quorum            INTEGER      NOT NULL,
    participants      INTEGER      NOT NULL,
    capability        VARCHAR(128),
    deadline_at       TIMESTAMPTZ,
    cause             VARCHAR(64),
    cause_detail      TEXT,
    created_at        TIMESTAMPTZ  NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL,
    ended_at          TIMESTAMPTZ,
    idempotency_key   VARCHAR(200),
    request_hash      VARCHAR(64),
    version           BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT session_state_chk CHECK (state IN
      ('INITIALIZING','IN_PROGRESS','COMPLETED','COMPENSATING','ROLLED_BACK','COMPENSATION_FAILED'))
);
CREATE UNIQUE INDEX session_idempotency_idx ON coordination_session (coordinator_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX session_state_created_idx ON coordination_session (state, created_at DESC);
CREATE INDEX session_created_idx ON coordination_session (created_at DESC);
CREATE INDEX session_coordinator_idx ON coordination_session (coordinator_id, created_at DESC);
-- The monitor's deadline sweep reads only open sessions with a deadline.
CREATE INDEX session_deadline_idx ON coordination_session (deadline_at)
    WHERE deadline_at IS NOT NULL AND state IN ('INITIALIZING','IN_PROGRESS');

CREATE TABLE assignment (
    assignment_id          UUID         PRIMARY KEY,
    session_id             UUID         NOT NULL REFERENCES coordination_session (session_id),
    agent_id               VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    task_id                VARCHAR(128) NOT NULL UNIQUE,
    state                  VARCHAR(32)  NOT NULL,
    attempt                INTEGER      NOT NULL,
    slot                   INTEGER      NOT NULL,
    created_at             TIMESTAMPTZ  NOT NULL,
    delegated_at           TIMESTAMPTZ,
    acked_at               TIMESTAMPTZ,
    submitted_at           TIMESTAMPTZ,
    validated_at           TIMESTAMPTZ,
    ended_at               TIMESTAMPTZ,
    ack_deadline           TIMESTAMPTZ  NOT NULL,
    completion_deadline    TIMESTAMPTZ,
    validation_seq         BIGINT,
    evidence_hash          VARCHAR(64),
    evidence               JSONB,
    verdict                JSONB,
    failure_code           VARCHAR(64),
    failure_message        TEXT,
    retry_due_at           TIMESTAMPTZ,
    replaced_by            UUID,
    compensation_key       VARCHAR(80),
    compensation_rounds    INTEGER      NOT NULL DEFAULT 0,
    compensation_pending   BOOLEAN      NOT NULL DEFAULT FALSE,
    compensation_detail    TEXT,
    compensated_at         TIMESTAMPTZ,
    version                BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT assignment_state_chk CHECK (state IN
      ('PENDING','DELEGATED','ACKNOWLEDGED','SUBMITTED','VALIDATED','REJECTED','FAILED','TIMED_OUT',
       'CANCELLED','COMPENSATING','COMPENSATED','COMPENSATION_FAILED'))
);
CREATE INDEX assignment_session_idx ON assignment (session_id, created_at);
CREATE INDEX assignment_agent_idx ON assignment (agent_id, state);
-- Monitor: ack and completion deadlines of open assignments, replacements due.
CREATE INDEX assignment_ack_due_idx ON assignment (ack_deadline) WHERE state IN ('PENDING','DELEGATED');
CREATE INDEX assignment_completion_due_idx ON assignment (completion_deadline) WHERE state = 'ACKNOWLEDGED';
CREATE INDEX assignment_retry_due_idx ON assignment (retry_due_at) WHERE retry_due_at IS NOT NULL AND replaced_by IS NULL;
CREATE INDEX assignment_open_agent_idx ON assignment (agent_id)
    WHERE state IN ('PENDING','DELEGATED','ACKNOWLEDGED');

-- The timeline: one row per transition of a session or an assignment, written in its transaction.
CREATE TABLE session_event (
    seq         BIGSERIAL    PRIMARY KEY,
    session_id  UUID         NOT NULL,
    entity      VARCHAR(16)  NOT NULL,
    entity_id   UUID         NOT NULL,
    from_state  VARCHAR(32),
    to_state    VARCHAR(32)  NOT NULL,
    cause       VARCHAR(64)  NOT NULL,
    actor       VARCHAR(200) NOT NULL,
    at          TIMESTAMPTZ  NOT NULL,
    detail      JSONB
);
CREATE INDEX session_event_session_idx ON session_event (session_id, seq);
CREATE INDEX session_event_at_idx ON session_event (at);

-- Outbox of messages to agents (delegations, compensation orders, cancellations).
CREATE TABLE agent_message (
    message_id          BIGSERIAL    PRIMARY KEY,
    agent_id            VARCHAR(64)  NOT NULL,
    assignment_id       UUID         NOT NULL,
    session_id          UUID         NOT NULL,
    type                VARCHAR(32)  NOT NULL,
    payload             JSONB,
    open                BOOLEAN      NOT NULL DEFAULT TRUE,
    due_at              TIMESTAMPTZ  NOT NULL,
    deliveries          INTEGER      NOT NULL DEFAULT 0,
    first_delivered_at  TIMESTAMPTZ,
    last_delivered_at   TIMESTAMPTZ,
    created_at          TIMESTAMPTZ  NOT NULL,
    idempotency_key     VARCHAR(80)
);
CREATE INDEX agent_message_due_idx ON agent_message (agent_id, due_at) WHERE open;
CREATE INDEX agent_message_assignment_idx ON agent_message (assignment_id, type) WHERE open;
CREATE INDEX agent_message_compensation_due_idx ON agent_message (due_at) WHERE open AND type = 'compensation';

-- Order in which assignments were validated (compensations run in reverse of it).
CREATE SEQUENCE assignment_validation_seq;
