-- Alerts (issue 9): which lines each team crossed in which cycle (at most once each, per
-- member for budgets), the team's webhook, and the deliveries to send (a transactional
-- outbox: written in the transaction of the charge that crossed the line).
CREATE TABLE alerts_fired (
    team_id      TEXT    NOT NULL REFERENCES teams (id),
    period_start BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    -- '' for a team's alert; the member's id for a budget's.
    member_id    TEXT    NOT NULL DEFAULT '',
    fired_at     BIGINT  NOT NULL,
    PRIMARY KEY (team_id, period_start, kind, member_id)
);

CREATE TABLE webhooks (
    team_id    TEXT    PRIMARY KEY REFERENCES teams (id),
    url        TEXT    NOT NULL,
    -- The HMAC key the receiver checks signatures with (shown once by `webhook set`).
    secret     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

-- One row per alert to send; `body` is the exact JSON sent on every attempt.
CREATE TABLE deliveries (
    id         TEXT    PRIMARY KEY,
    team_id    TEXT    NOT NULL REFERENCES teams (id),
    kind       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    attempts   BIGINT  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_at    BIGINT  NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_team ON deliveries (team_id, created_at);
