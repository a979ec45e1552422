-- The audit trail: every owner or operator action, recorded in the action's transaction.
-- `before_state` / `after_state` are JSON text. Keep in step with ../postgres/0003_audit.sql.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    team_id      TEXT    REFERENCES teams (id),
    actor        TEXT    NOT NULL CHECK (actor IN ('cli', 'member')),
    member_id    TEXT    REFERENCES members (id),
    action       TEXT    NOT NULL,
    subject      TEXT,
    before_state TEXT,
    after_state  TEXT,
    CHECK ((actor = 'member') = (member_id IS NOT NULL))
) STRICT;
CREATE INDEX audit_team ON audit (team_id, id DESC);
