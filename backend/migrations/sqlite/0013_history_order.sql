-- The Usage History is ordered by what it shows, the action's time: newest first by
-- (occurred_at, id), the cursor on the same key. The recorded_at indexes stay for the
-- `since` reads (this cycle's rows, a member's use this cycle).
CREATE INDEX events_history_occurred ON events (team_id, occurred_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_member_occurred ON events (team_id, member_id, occurred_at DESC, id DESC) WHERE status = 'applied';
CREATE INDEX events_job_occurred ON events (team_id, job_id, occurred_at DESC, id DESC) WHERE status = 'applied' AND job_id IS NOT NULL;
