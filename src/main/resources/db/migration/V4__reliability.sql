-- Reliability and enforcement (SPEC §2): one result per outcome, incidents for the bad ones, the running
-- window aggregates each agent's score is kept from, the score's history, and every enforcement action.

-- One row per outcome of an agent's work. A result counts towards the score unless it is covered by
-- another lapse (a timeout of an agent already UNRESPONSIVE). t_days is set only when the result's response
-- time feeds the trend (days since the agent's trend origin, reliability_state.origin_at).
CREATE TABLE reliability_result (
    result_id        BIGSERIAL    PRIMARY KEY,
    agent_id         VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    kind             VARCHAR(32)  NOT NULL,
    success          BOOLEAN      NOT NULL,
    counted          BOOLEAN      NOT NULL,
    failure_weight   DOUBLE PRECISION NOT NULL,
    assignment_id    UUID,
    session_id       UUID,
    response_time_ms BIGINT,
    t_days           DOUBLE PRECISION,
    outlier_detail   TEXT,
    burst_detail     TEXT,
    detail           TEXT,
    at               TIMESTAMPTZ  NOT NULL,
    CONSTRAINT reliability_result_kind_chk CHECK (kind IN
      ('VALIDATED','PROOF_VALIDATION_FAILED','AGENT_FAILURE','TASK_TIMEOUT','AGENT_UNRESPONSIVE',
       'COMPENSATED','COMPENSATION_FAILED','COORDINATION_FAILED'))
);
-- Window expiry reads a time range of one agent; the since-release count reads by id.
CREATE INDEX reliability_result_agent_at_idx ON reliability_result (agent_id, at);
CREATE INDEX reliability_result_agent_id_idx ON reliability_result (agent_id, result_id);
CREATE INDEX reliability_result_anomaly_idx ON reliability_result (agent_id, at)
    WHERE outlier_detail IS NOT NULL OR burst_detail IS NOT NULL;

-- The bad results, classified (code, impact, enforceable) by the SPEC §2 table.
CREATE TABLE incident (
    incident_id   BIGSERIAL    PRIMARY KEY,
    result_id     BIGINT       NOT NULL UNIQUE REFERENCES reliability_result (result_id),
    agent_id      VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    code          VARCHAR(64)  NOT NULL,
    impact        VARCHAR(8)   NOT NULL,
    enforceable   BOOLEAN      NOT NULL,
    assignment_id UUID,
    session_id    UUID,
    at            TIMESTAMPTZ  NOT NULL,
    detail        TEXT,
    CONSTRAINT incident_impact_chk CHECK (impact IN ('HIGH','MEDIUM','LOW'))
);
CREATE INDEX incident_agent_idx ON incident (agent_id, at DESC, incident_id DESC);
-- The enforcement rule counts an agent's enforceable incidents of the last hour through this index only.
CREATE INDEX incident_enforceable_idx ON incident (agent_id, at) WHERE enforceable;
CREATE INDEX incident_at_idx ON incident (at DESC);

-- Running aggregates of each agent's reliability window: the score is updated from these per outcome,
-- never recomputed over the history. Results with at <= expired_through are no longer counted.
CREATE TABLE reliability_state (
    agent_id        VARCHAR(64)  PRIMARY KEY REFERENCES agent (agent_id),
    origin_at       TIMESTAMPTZ  NOT NULL,
    expired_through TIMESTAMPTZ  NOT NULL,
    results         INTEGER      NOT NULL DEFAULT 0,
    successes       INTEGER      NOT NULL DEFAULT 0,
    failure_weight  DOUBLE PRECISION NOT NULL DEFAULT 0,
    rt_samples      INTEGER      NOT NULL DEFAULT 0,
    rt_sum_t        DOUBLE PRECISION NOT NULL DEFAULT 0,
    rt_sum_y        DOUBLE PRECISION NOT NULL DEFAULT 0,
    rt_sum_tt       DOUBLE PRECISION NOT NULL DEFAULT 0,
    rt_sum_ty       DOUBLE PRECISION NOT NULL DEFAULT 0,
    outliers        INTEGER      NOT NULL DEFAULT 0,
    bursts          INTEGER      NOT NULL DEFAULT 0,
    kind_counts     JSONB        NOT NULL DEFAULT '{}'::jsonb,
    baseline_ms     BIGINT[]     NOT NULL DEFAULT '{}',
    run_failures_ms BIGINT[]     NOT NULL DEFAULT '{}',
    run_flagged     BOOLEAN      NOT NULL DEFAULT FALSE,
    score           DOUBLE PRECISION NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL
);

-- The score after each result (the console's chart).
CREATE TABLE reliability_score_point (
    point_id  BIGSERIAL    PRIMARY KEY,
    agent_id  VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    result_id BIGINT       REFERENCES reliability_result (result_id),
    score     DOUBLE PRECISION NOT NULL,
    at        TIMESTAMPTZ  NOT NULL
);
CREATE INDEX reliability_score_point_agent_idx ON reliability_score_point (agent_id, point_id DESC);

-- Every quarantine and release, automatic or by hand, with its rule and reason. A release keeps the
-- newest result id at that moment (result_watermark): counts for enforcement start after it.
CREATE TABLE enforcement_action (
    action_id        BIGSERIAL    PRIMARY KEY,
    agent_id         VARCHAR(64)  NOT NULL REFERENCES agent (agent_id),
    action           VARCHAR(16)  NOT NULL,
    rule             VARCHAR(32)  NOT NULL,
    automatic        BOOLEAN      NOT NULL,
    actor            VARCHAR(200) NOT NULL,
    reason           TEXT,
    from_status      VARCHAR(16),
    to_status        VARCHAR(16)  NOT NULL,
    score            DOUBLE PRECISION NOT NULL,
    status_event_seq BIGINT       REFERENCES agent_status_event (seq),
    result_watermark BIGINT       NOT NULL DEFAULT 0,
    at               TIMESTAMPTZ  NOT NULL,
    CONSTRAINT enforcement_action_chk CHECK (action IN ('QUARANTINE','RELEASE'))
);
CREATE INDEX enforcement_action_agent_idx ON enforcement_action (agent_id, action_id DESC);
CREATE INDEX enforcement_action_release_idx ON enforcement_action (agent_id, action_id DESC) WHERE action = 'RELEASE';
