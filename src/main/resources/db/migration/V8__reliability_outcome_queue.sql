-- Outcomes written by a transition's own transaction (the direct evidence path, session.DirectEvidence) and applied
-- to the reliability record right after, in batches, by reliability.OutcomeProjector: the outcome is as durable as
-- the verdict, and a batch shares one transaction and one agent lock statement. A row lives until it is applied.
CREATE TABLE reliability_outcome (
    outcome_id       BIGSERIAL    PRIMARY KEY,
    agent_id         VARCHAR(64)  NOT NULL,
    kind             VARCHAR(32)  NOT NULL,
    assignment_id    UUID,
    session_id       UUID,
    response_time_ms BIGINT,
    detail           TEXT,
    at               TIMESTAMPTZ  NOT NULL
);
