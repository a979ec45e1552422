-- Member budgets (issue 9): a cap per cycle on one member's use of the shared pool; NULL is
-- none. An event over the budget is remembered as rejected with its own reason.
ALTER TABLE members ADD COLUMN budget BIGINT CHECK (budget >= 0);

ALTER TABLE events DROP CONSTRAINT events_reason_check;
ALTER TABLE events ADD CONSTRAINT events_reason_check
    CHECK (reason IN ('insufficient_credits', 'unknown_action', 'invalid_event', 'member_budget_exhausted'));
