-- Console sign-ins (platform.security.ConsoleSessions owns these statements). The cookie `ares-session` carries a
-- random 256-bit id; only its SHA-256 is stored, so a copy of this table opens nothing. Signing out deletes the
-- row, which ends the session on every replica at once; expired rows are deleted at the next sign-in.
CREATE TABLE console_session (
    id_hash      BYTEA       PRIMARY KEY,
    user_name    TEXT        NOT NULL,
    role         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX console_session_expires_idx ON console_session (expires_at);
