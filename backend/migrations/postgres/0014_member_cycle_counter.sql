-- A member's use this cycle as a counter: see ../sqlite/0014_member_cycle_counter.sql.
ALTER TABLE members ADD COLUMN cycle_used BIGINT NOT NULL DEFAULT 0 CHECK (cycle_used >= 0);
ALTER TABLE members ADD COLUMN cycle_start BIGINT;
