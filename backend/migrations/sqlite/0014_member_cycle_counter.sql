-- A member's use this cycle as a counter, written with each charge (in the batch's
-- transaction) so a balance read does not sum the member's usage rows. `cycle_start` (ms)
-- says which cycle `cycle_used` counts; NULL, or another cycle, means "not counted": the
-- rows are summed then, and the next charge stores the sum. A refund clears it.
-- Keep in step with ../postgres/0014_member_cycle_counter.sql.
ALTER TABLE members ADD COLUMN cycle_used INTEGER NOT NULL DEFAULT 0 CHECK (cycle_used >= 0);
ALTER TABLE members ADD COLUMN cycle_start INTEGER;
