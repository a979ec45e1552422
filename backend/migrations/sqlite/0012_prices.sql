-- The operator's prices for the plan advisor (issue 9), set by `prices set`; absent means
-- the advisor speaks in credits only.
CREATE TABLE prices (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body       TEXT    NOT NULL,
    updated_at INTEGER  NOT NULL
) STRICT;
