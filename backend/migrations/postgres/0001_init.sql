-- Upwex Credits schema, PostgreSQL flavour.
-- Times are integer milliseconds since the Unix epoch, UTC, in both engines.
-- Keep in step with ../sqlite/0001_init.sql: the queries are shared.

CREATE TABLE teams (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at BIGINT  NOT NULL
);

-- The team's balance row: the core's `Ledger`. Every write to a team locks this row first;
-- the CHECKs are the backstop behind the core's "never negative".
CREATE TABLE ledgers (
    team_id      TEXT    PRIMARY KEY REFERENCES teams (id),
    plan         TEXT    NOT NULL CHECK (plan IN ('trial', 'lite', 'pro', 'max')),
    seats        BIGINT  NOT NULL CHECK (seats >= 1),
    anchor       BIGINT  NOT NULL,
    period_start BIGINT  NOT NULL,
    monthly_paid BIGINT  NOT NULL CHECK (monthly_paid >= 0),
    used         BIGINT  NOT NULL CHECK (used >= 0),
    extra        BIGINT  NOT NULL CHECK (extra >= 0),
    low_percent  BIGINT  NOT NULL CHECK (low_percent BETWEEN 0 AND 100)
);

CREATE TABLE members (
    id         TEXT    PRIMARY KEY,
    team_id    TEXT    NOT NULL REFERENCES teams (id),
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role       TEXT    NOT NULL CHECK (role IN ('owner', 'member')),
    created_at BIGINT  NOT NULL
);
CREATE INDEX members_team ON members (team_id);

-- Only the SHA-256 (hex) of a token is kept, and looked up by it.
CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY,
    member_id  TEXT    NOT NULL REFERENCES members (id),
    created_at BIGINT  NOT NULL
);
CREATE INDEX tokens_member ON tokens (member_id);

-- Every consumption event id the ledger has answered for, with its first outcome. The
-- primary key makes an id count at most once, across restarts and across teams. Applied
-- rows are the Usage History; rejected rows remember their reason for replays.
CREATE TABLE events (
    id          TEXT    PRIMARY KEY,
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    member_id   TEXT    NOT NULL REFERENCES members (id),
    status      TEXT    NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason      TEXT    CHECK (reason IN ('insufficient_credits', 'unknown_action', 'invalid_event')),
    action      TEXT,
    regenerate  BOOLEAN NOT NULL DEFAULT FALSE,
    job_id      TEXT,
    occurred_at BIGINT,
    recorded_at BIGINT  NOT NULL,
    bucket      TEXT    CHECK (bucket IN ('monthly', 'extra')),
    credits     BIGINT  NOT NULL DEFAULT 0 CHECK (credits >= 0),
    refunded    BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK ((status = 'applied' AND reason IS NULL AND action IS NOT NULL AND bucket IS NOT NULL
            AND occurred_at IS NOT NULL AND credits > 0)
        OR (status = 'rejected' AND reason IS NOT NULL AND bucket IS NULL AND credits = 0 AND NOT refunded))
);
CREATE INDEX events_history ON events (team_id, recorded_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_member ON events (team_id, member_id, recorded_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_job ON events (team_id, job_id, recorded_at DESC, id DESC) WHERE status = 'applied' AND job_id IS NOT NULL;

-- Recorded top-ups, idempotent by the client's id.
CREATE TABLE topups (
    id          TEXT    PRIMARY KEY,
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    credits     BIGINT  NOT NULL CHECK (credits > 0),
    member_id   TEXT    REFERENCES members (id),
    recorded_at BIGINT  NOT NULL
);

-- The recognition rules set by `rules set`; absent means the shipped rules.
CREATE TABLE rules (
    id         BIGINT  PRIMARY KEY CHECK (id = 1),
    body       TEXT    NOT NULL,
    etag       TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);
