-- The dashboard's background refresh (io.ares.console.DashboardSnapshot) reads two thin slices of the event log.
-- Both indexes are partial: only the rows they name are written into them.
--
-- Recent rollbacks: the newest settled compensations of the last 24 h. With session_event_at_idx alone PostgreSQL
-- reads every event of the day when there are few rollbacks (136 ms at 1.8 M events, none of them settled
-- compensations); this one is scanned backwards and stops after LIMIT rows.
CREATE INDEX IF NOT EXISTS session_event_settled_compensation_idx ON session_event (at, seq)
    WHERE entity = 'assignment' AND to_state IN ('COMPENSATED', 'COMPENSATION_FAILED');
-- Throughput: sessions' end events (COMPLETED, or COMPENSATING on a failure) per minute. About 2 of the ~18
-- events of a session; a refresh re-reads only the last minutes of them (0.3 ms instead of 5 ms at 600 sessions
-- a minute, and 35 ms instead of 97 ms for the whole hour that the first refresh reads).
CREATE INDEX IF NOT EXISTS session_event_session_end_idx ON session_event (at)
    WHERE entity = 'session' AND to_state IN ('COMPLETED', 'COMPENSATING');
-- Building them locks writes to session_event for the length of one scan of the table (under a second per
-- 2 M events here). On a much larger live table create both by hand first, CONCURRENTLY and with these names:
-- IF NOT EXISTS then skips them here.
