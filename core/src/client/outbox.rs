//! The durable outbox and its sync state machine.
//!
//! Every click becomes a [`UsageEvent`] with a browser-made id, kept here (and in
//! `chrome.storage` by the shell) until the backend has answered for that id. Replays are
//! safe because the backend applies an id at most once, so nothing is "in flight" in the
//! persisted state: a service worker that dies mid-request simply sends the batch again.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::action::{Action, PriceTable};
use crate::api::{Balance, BalanceView, Bucket, EventStatus, MemberBudget, Reason, UsageAnswer, UsageBatch, UsageEvent, UsageRow};
use crate::batch::MAX_BATCH_EVENTS;
use crate::cycle::Timestamp;
use crate::ledger::{is_low, paying_bucket};

/// Rejected events kept to show the user (newest kept).
pub const MAX_REJECTED: usize = 100;
/// First retry delay and the longest one.
pub const BACKOFF_BASE_SECS: i64 = 2;
pub const BACKOFF_CAP_SECS: i64 = 300;

/// The outbox, the last known balance and what the backend has counted per job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outbox {
    /// Events not yet answered by the backend, oldest first.
    pub pending: Vec<UsageEvent>,
    /// Events the backend rejected, newest last.
    pub rejected: Vec<RejectedEvent>,
    /// Rejections the user has not looked at yet.
    pub rejected_unseen: u32,
    /// Consecutive failed syncs.
    pub failures: u32,
    /// No sync before this moment (backoff).
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<SyncError>,
    pub balance: Option<KnownBalance>,
    /// The backend's credits per job in the cycle starting at `job_cycle`.
    pub job_credits: BTreeMap<String, u64>,
    /// The backend's rerolls (Regenerate events) per job and action in the same cycle, for
    /// the jobs `job_credits` knows.
    pub job_rerolls: Vec<JobRerolls>,
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub job_cycle: Option<Timestamp>,
    /// Browser notifications already shown this cycle.
    pub notified: super::notify::Notified,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedEvent {
    pub event: UsageEvent,
    pub reason: Reason,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub answered_at: Timestamp,
}

/// How many times one job's result of one action was rerolled (Regenerate) this cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRerolls {
    pub job_id: String,
    pub action: Action,
    pub count: u64,
}

/// The backend's balance and when we learnt it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownBalance {
    pub balance: Balance,
    /// This token's member against its budget, from `GET /v1/balance` (a usage answer
    /// carries the team's figures only: its applied events are counted in here).
    #[serde(default)]
    pub member: Option<MemberBudget>,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncError {
    pub kind: SyncErrorKind,
    pub message: String,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorKind {
    /// The backend could not be reached.
    Network,
    /// 401: the token is wrong or revoked.
    Unauthorized,
    /// Any other answer that is not a usage answer.
    Backend,
}

/// The balance as the user should see it: the backend's, less what is still pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub remaining: u64,
    pub extra: u64,
    pub spendable: u64,
    pub used: u64,
    pub total: u64,
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub resets_at: Option<Timestamp>,
    /// The backend's `low` rule applied to the projected figures.
    pub low: bool,
    pub pending: usize,
    /// What the member's budget leaves after the pending events; none when no budget is set.
    pub member_left: Option<u64>,
    /// When the backend's figures were learnt.
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub as_of: Timestamp,
}

/// The delay before retry number `failures` (1 = first retry): exponential, capped, with
/// "equal jitter" (half fixed, half drawn from `jitter` in 0..1) so many clients that failed
/// together do not retry together.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE_SECS.saturating_mul(1_i64 << failures.saturating_sub(1).min(20));
    let ms = exp.min(BACKOFF_CAP_SECS) * 1000;
    let jitter = jitter.clamp(0.0, 1.0);
    Duration::milliseconds(ms / 2 + (jitter * (ms / 2) as f64) as i64)
}

/// Credits the backend counted for `job_id` in the cycle that started at `cycle_start`,
/// from usage rows (refunded rows and earlier cycles excluded).
pub fn credits_for_job(rows: &[UsageRow], job_id: &str, cycle_start: Timestamp) -> u64 {
    rows.iter().filter(|r| !r.refunded && r.recorded_at >= cycle_start && r.job_id.as_deref() == Some(job_id)).map(|r| r.credits.unsigned_abs()).sum()
}

/// The rerolls the backend counted for `job_id` in the cycle that started at `cycle_start`,
/// per action, from usage rows (refunded rows and earlier cycles excluded, as in
/// [`credits_for_job`]).
pub fn rerolls_for_job(rows: &[UsageRow], job_id: &str, cycle_start: Timestamp) -> Vec<JobRerolls> {
    let mut out: Vec<JobRerolls> = Vec::new();
    for r in rows.iter().filter(|r| r.regenerate && !r.refunded && r.recorded_at >= cycle_start && r.job_id.as_deref() == Some(job_id)) {
        match out.iter_mut().find(|x| x.action == r.action) {
            Some(x) => x.count += 1,
            None => out.push(JobRerolls { job_id: job_id.to_owned(), action: r.action, count: 1 }),
        }
    }
    out
}

impl Outbox {
    /// Records a click. An id already pending is not recorded twice.
    pub fn record(&mut self, event: UsageEvent) {
        if !self.pending.iter().any(|e| e.id == event.id) {
            self.pending.push(event);
        }
    }

    /// The next batch to send at `now`, if one is due.
    pub fn batch(&self, now: Timestamp) -> Option<UsageBatch> {
        if self.pending.is_empty() || self.next_attempt_at.is_some_and(|t| t > now) {
            return None;
        }
        Some(UsageBatch { events: self.pending.iter().take(MAX_BATCH_EVENTS).cloned().collect() })
    }

    /// When the next sync should run: `None` when nothing waits, else the backoff moment
    /// (or any time, if it has passed).
    pub fn due_at(&self) -> Option<Option<Timestamp>> {
        (!self.pending.is_empty()).then_some(self.next_attempt_at)
    }

    /// The backend answered a batch: each answered event leaves the outbox (rejected ones
    /// are kept aside to be shown), the balance is the backend's, and backoff resets.
    pub fn answered(&mut self, answer: &UsageAnswer, prices: &PriceTable, now: Timestamp) {
        self.learn_balance(answer.balance.clone(), now);
        for result in &answer.results {
            let Some(pos) = result.id.as_deref().and_then(|id| self.pending.iter().position(|e| e.id.to_string() == id)) else {
                continue;
            };
            let event = self.pending.remove(pos);
            match result.status {
                EventStatus::Applied | EventStatus::Duplicate => {
                    if result.status == EventStatus::Applied {
                        self.member_charged(u64::from(prices.cost(event.action)));
                    }
                    // Only a count learnt from the backend grows; an unknown job's count stays
                    // unknown (a partial count would pass for the backend's).
                    if let Some(count) = event.job_id.as_ref().and_then(|job| self.job_credits.get_mut(job)) {
                        *count += u64::from(prices.cost(event.action));
                        if event.regenerate {
                            self.count_reroll(&event);
                        }
                    }
                }
                EventStatus::Rejected => {
                    let reason = result.reason.unwrap_or(Reason::InvalidEvent);
                    self.rejected.push(RejectedEvent { event, reason, answered_at: now });
                    self.rejected_unseen += 1;
                }
            }
        }
        let overflow = self.rejected.len().saturating_sub(MAX_REJECTED);
        self.rejected.drain(..overflow);
        self.failures = 0;
        self.next_attempt_at = None;
        self.last_error = None;
    }

    /// A sync failed: nothing leaves the outbox; the next try waits longer.
    pub fn failed(&mut self, kind: SyncErrorKind, message: impl Into<String>, now: Timestamp, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        self.next_attempt_at = Some(now + backoff(self.failures, jitter));
        self.last_error = Some(SyncError { kind, message: message.into(), at: now });
    }

    /// As [`Outbox::failed`], waiting at least `retry_after` when the backend said how long
    /// (`Retry-After` on a 429 or 503).
    pub fn failed_after(&mut self, kind: SyncErrorKind, message: impl Into<String>, now: Timestamp, jitter: f64, retry_after: Option<Duration>) {
        self.failed(kind, message, now, jitter);
        if let Some(wait) = retry_after {
            self.next_attempt_at = self.next_attempt_at.max(Some(now + wait));
        }
    }

    /// The team's balance (a usage answer, a top-up's). A new cycle forgets per-job counts
    /// and the member's use (its budget stays).
    pub fn learn_balance(&mut self, balance: Balance, now: Timestamp) {
        let mut member = self.balance.as_ref().and_then(|b| b.member);
        if self.job_cycle != Some(balance.cycle_start) {
            self.job_cycle = Some(balance.cycle_start);
            self.job_credits.clear();
            self.job_rerolls.clear();
            member = member.map(|m| MemberBudget { used: 0, budget: m.budget, left: m.budget });
        }
        self.balance = Some(KnownBalance { balance, member, at: now });
    }

    /// `GET /v1/balance`: the team's balance and the member's budget.
    pub fn learn_view(&mut self, view: BalanceView, now: Timestamp) {
        self.learn_balance(view.team, now);
        if let Some(known) = &mut self.balance {
            known.member = Some(view.member);
        }
    }

    /// An applied charge of this browser's is the member's too.
    fn member_charged(&mut self, credits: u64) {
        if let Some(m) = self.balance.as_mut().and_then(|b| b.member.as_mut()) {
            m.used += credits;
            m.left = m.left.map(|l| l.saturating_sub(credits));
        }
    }

    /// The backend's usage rows for a job (`GET /v1/usage?job_id=`), counted for this cycle.
    pub fn learn_job(&mut self, job_id: &str, rows: &[UsageRow]) {
        if let Some(cycle) = self.job_cycle {
            self.job_credits.insert(job_id.to_owned(), credits_for_job(rows, job_id, cycle));
            self.job_rerolls.retain(|r| r.job_id != job_id);
            self.job_rerolls.extend(rerolls_for_job(rows, job_id, cycle));
        }
    }

    /// An applied Regenerate of a job whose count is known.
    fn count_reroll(&mut self, event: &UsageEvent) {
        let Some(job) = event.job_id.as_deref() else { return };
        match self.job_rerolls.iter_mut().find(|r| r.job_id == job && r.action == event.action) {
            Some(r) => r.count += 1,
            None => self.job_rerolls.push(JobRerolls { job_id: job.to_owned(), action: event.action, count: 1 }),
        }
    }

    /// Rerolls of this job's `action` result this cycle: the backend's count plus pending
    /// Regenerate events.
    pub fn job_rerolls(&self, job_id: &str, action: Action) -> u64 {
        let known = self.job_rerolls.iter().find(|r| r.job_id == job_id && r.action == action).map_or(0, |r| r.count);
        let pending = self.pending.iter().filter(|e| e.regenerate && e.action == action && e.job_id.as_deref() == Some(job_id)).count();
        known + pending as u64
    }

    /// Whether the backend's count for this job is known.
    pub fn knows_job(&self, job_id: &str) -> bool {
        self.job_credits.contains_key(job_id)
    }

    /// Credits this job has used this cycle: the backend's count plus pending events.
    pub fn job_used(&self, job_id: &str, prices: &PriceTable) -> u64 {
        self.job_credits.get(job_id).copied().unwrap_or(0) + self.pending_credits(prices, Some(job_id))
    }

    /// Settings changed (a new backend or token): try again at once.
    pub fn retry_now(&mut self) {
        self.failures = 0;
        self.next_attempt_at = None;
        self.last_error = None;
    }

    /// Forget what belonged to another backend or team (the pending events stay: they were
    /// clicks, and they go to whichever backend is configured next).
    pub fn forget_backend(&mut self) {
        self.retry_now();
        self.balance = None;
        self.job_credits.clear();
        self.job_rerolls.clear();
        self.job_cycle = None;
        self.notified = Default::default();
    }

    /// The user has seen the rejections.
    pub fn mark_rejections_seen(&mut self) {
        self.rejected_unseen = 0;
    }

    /// Credits the pending events will cost (those for `job_id` only, when given).
    pub fn pending_credits(&self, prices: &PriceTable, job_id: Option<&str>) -> u64 {
        self.pending.iter().filter(|e| job_id.is_none_or(|j| e.job_id.as_deref() == Some(j))).map(|e| u64::from(prices.cost(e.action))).sum()
    }

    /// The balance the user should see: the backend's last figures less the pending events,
    /// each charged in order by the ledger's own rule ([`paying_bucket`]: one bucket pays a
    /// whole charge; one no bucket can pay is refused and charges nothing). `None` before
    /// the first balance is known.
    pub fn projection(&self, prices: &PriceTable, low_percent: u8) -> Option<Projection> {
        let known = self.balance.as_ref()?;
        let b = &known.balance;
        let (mut remaining, mut extra, mut used) = (b.remaining, b.extra, b.used);
        let mut member_left = known.member.and_then(|m| m.left);
        for event in &self.pending {
            let cost = u64::from(prices.cost(event.action));
            // The backend's order: over the member's budget is refused before the pool pays.
            if member_left.is_some_and(|l| l < cost) {
                continue;
            }
            match paying_bucket(remaining, extra, cost) {
                Some(Bucket::Monthly) => remaining -= cost,
                Some(Bucket::Extra) => extra -= cost,
                None => continue,
            }
            used += cost;
            member_left = member_left.map(|l| l - cost);
        }
        let spendable = remaining + extra;
        // The backend's own `low` holds while nothing was refilled (its percentage may differ).
        let low = is_low(spendable, b.total, low_percent) || (b.low && spendable <= b.spendable);
        Some(Projection {
            remaining,
            extra,
            spendable,
            used,
            total: b.total,
            resets_at: b.resets_at,
            low,
            pending: self.pending.len(),
            member_left,
            as_of: known.at,
        })
    }
}

impl Projection {
    /// Whether the ledger would pay a charge of `cost` now (the directive's block rule).
    pub fn can_pay(&self, cost: u64) -> bool {
        self.refusal(cost).is_none()
    }

    /// Why the backend would refuse a charge of `cost` now, by its rule (`batch::decide`):
    /// an empty pool is said first, raising the budget would not help then.
    pub fn refusal(&self, cost: u64) -> Option<Reason> {
        if paying_bucket(self.remaining, self.extra, cost).is_none() {
            Some(Reason::InsufficientCredits)
        } else if self.member_left.is_some_and(|l| l < cost) {
            Some(Reason::MemberBudgetExhausted)
        } else {
            None
        }
    }

    /// What this member can spend now: the pool's spendable, capped by the budget's left.
    pub fn member_spendable(&self) -> u64 {
        self.member_left.map_or(self.spendable, |l| l.min(self.spendable))
    }
}
