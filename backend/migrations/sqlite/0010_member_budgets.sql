-- Member budgets (issue 9): a cap per cycle on one member's use of the shared pool; NULL is
-- none. An event over the budget is remembered as rejected with its own reason.
-- Keep in step with ../postgres/0010_member_budgets.sql.
ALTER TABLE members ADD COLUMN budget INTEGER CHECK (budget >= 0);

-- SQLite cannot change a CHECK in place: the events table is rebuilt (nothing references it).
CREATE TABLE events_new (
    id          TEXT    PRIMARY KEY,
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    member_id   TEXT    NOT NULL REFERENCES members (id),
    status      TEXT    NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason      TEXT    CHECK (reason IN ('insufficient_credits', 'unknown_action', 'invalid_event', 'member_budget_exhausted')),
    action      TEXT,
    regenerate  INTEGER NOT NULL DEFAULT 0 CHECK (regenerate IN (0, 1)),
    job_id      TEXT,
    occurred_at INTEGER,
    recorded_at INTEGER NOT NULL,
    bucket      TEXT    CHECK (bucket IN ('monthly', 'extra')),
    credits     INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0),
    refunded    INTEGER NOT NULL DEFAULT 0 CHECK (refunded IN (0, 1)),
    CHECK ((status = 'applied' AND reason IS NULL AND action IS NOT NULL AND bucket IS NOT NULL
            AND occurred_at IS NOT NULL AND credits > 0)
        OR (status = 'rejected' AND reason IS NOT NULL AND bucket IS NULL AND credits = 0 AND refunded = 0))
) STRICT;
INSERT INTO events_new SELECT id, team_id, member_id, status, reason, action, regenerate, job_id, occurred_at, recorded_at, bucket, credits, refunded FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_history ON events (team_id, recorded_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_member ON events (team_id, member_id, recorded_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_job ON events (team_id, job_id, recorded_at DESC, id DESC) WHERE status = 'applied' AND job_id IS NOT NULL;
