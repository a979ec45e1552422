//! A team's ledger: the monthly pool, Extra Credits and the cycle they belong to.
//!
//! The backend keeps one `Ledger` per team (its balance row), loads it inside a transaction
//! that locks the row, lets the core change it, and writes it back. Every rule about
//! buckets lives here.

use serde::{Deserialize, Serialize};

use crate::api::{Balance, Bucket};
use crate::cycle::{Cycle, Timestamp, cycle_at, trial_end};
use crate::plan::{CreditConfig, Plan};
use crate::refusal::{ErrorCode, Refusal};

/// The most seats a team may have (a guard against typos, not a product limit).
pub const MAX_SEATS: u32 = 10_000;

/// A team's balance state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub plan: Plan,
    pub seats: u32,
    /// The billing anchor every cycle boundary is computed from.
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub anchor: Timestamp,
    /// Start of the period the counters describe: the current cycle's start, or the
    /// trial's end once a trial is over (no cycle then, only Extra Credits).
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub period_start: Timestamp,
    /// Credits the monthly pool paid in this period.
    pub monthly_paid: u64,
    /// Every credit consumed in this period, from either bucket.
    pub used: u64,
    /// The top-up reserve: never resets, never expires.
    pub extra: u64,
    /// `low` is spendable <= this percent of Total Credits.
    pub low_percent: u8,
}

/// The one per-charge rule: a charge of `cost` is paid whole by one bucket, the monthly
/// pool if it covers the cost, else Extra Credits, else nobody (refused). The client's
/// projection and directives apply this same function to pending events.
pub fn paying_bucket(remaining: u64, extra: u64, cost: u64) -> Option<Bucket> {
    if remaining >= cost {
        Some(Bucket::Monthly)
    } else if extra >= cost {
        Some(Bucket::Extra)
    } else {
        None
    }
}

/// `low` (rule 12): spendable at or below `low_percent` of Total Credits.
pub fn is_low(spendable: u64, total: u64, low_percent: u8) -> bool {
    spendable.saturating_mul(100) <= total.saturating_mul(u64::from(low_percent))
}

/// What a refund needs to know about the usage row it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefundTarget {
    pub bucket: Bucket,
    pub credits: u64,
    pub recorded_at: Timestamp,
    pub refunded: bool,
}

fn check_seats(seats: u32) -> Result<u32, Refusal> {
    if (1..=MAX_SEATS).contains(&seats) {
        Ok(seats)
    } else {
        Err(Refusal::new(ErrorCode::InvalidSeats, format!("seats must be between 1 and {MAX_SEATS}, got {seats}")))
    }
}

impl Ledger {
    /// A new team's ledger. The anchor defaults to `now`; an anchor in the future is refused.
    pub fn new(plan: Plan, seats: u32, anchor: Option<Timestamp>, now: Timestamp, cfg: &CreditConfig) -> Result<Ledger, Refusal> {
        let seats = check_seats(seats)?;
        let anchor = anchor.unwrap_or(now);
        if anchor > now {
            return Err(Refusal::new(ErrorCode::AnchorInFuture, format!("the anchor {anchor} is in the future")));
        }
        let mut ledger = Ledger { plan, seats, anchor, period_start: anchor, monthly_paid: 0, used: 0, extra: 0, low_percent: cfg.low_percent };
        ledger.settle(now, cfg);
        Ok(ledger)
    }

    /// The cycle containing `now` (`None` once a trial is over).
    pub fn cycle(&self, now: Timestamp, cfg: &CreditConfig) -> Option<Cycle> {
        cycle_at(self.plan, self.anchor, now, cfg)
    }

    fn period_start_at(&self, now: Timestamp, cfg: &CreditConfig) -> Timestamp {
        self.cycle(now, cfg).map_or_else(|| trial_end(self.anchor, cfg), |c| c.start)
    }

    /// Moves the counters to the period containing `now`: at a refill the monthly pool is
    /// whole again and Used starts over; Extra is untouched. Only ever moves forward, so a
    /// clock that steps back cannot hand out a second allowance.
    pub fn settle(&mut self, now: Timestamp, cfg: &CreditConfig) {
        let start = self.period_start_at(now, cfg);
        if start > self.period_start {
            self.period_start = start;
            self.monthly_paid = 0;
            self.used = 0;
        }
    }

    /// Total Credits: the current cycle's allowance (0 once a trial is over).
    pub fn total(&self, now: Timestamp, cfg: &CreditConfig) -> u64 {
        match self.cycle(now, cfg) {
            Some(_) => cfg.allowance(self.plan, self.seats),
            None => 0,
        }
    }

    /// Charges `cost` credits: from the monthly pool while it covers the cost, else from
    /// Extra Credits, else refused with nothing charged. A charge is paid by one bucket
    /// (with every price at 1 this is exactly "monthly first, then extra").
    pub fn charge(&mut self, cost: u64, now: Timestamp, cfg: &CreditConfig) -> Result<Bucket, crate::api::Reason> {
        self.settle(now, cfg);
        let remaining = self.total(now, cfg).saturating_sub(self.monthly_paid);
        let bucket = paying_bucket(remaining, self.extra, cost).ok_or(crate::api::Reason::InsufficientCredits)?;
        match bucket {
            Bucket::Monthly => self.monthly_paid += cost,
            Bucket::Extra => self.extra -= cost,
        }
        self.used += cost;
        Ok(bucket)
    }

    /// Whether the pool (either bucket) could pay `cost` at `now`; changes nothing.
    pub fn can_pay(&self, cost: u64, now: Timestamp, cfg: &CreditConfig) -> bool {
        let b = self.balance(now, cfg);
        paying_bucket(b.remaining, b.extra, cost).is_some()
    }

    /// Adds a paid pack to Extra Credits (the billing system took the payment).
    pub fn top_up(&mut self, credits: u64, cfg: &CreditConfig) -> Result<(), Refusal> {
        check_topup(credits, cfg)?;
        self.extra = self.extra.checked_add(credits).ok_or_else(|| Refusal::new(ErrorCode::InvalidCredits, "Extra Credits would overflow"))?;
        Ok(())
    }

    /// A plan or seat change, effective at once for the current cycle. A paid plan set on a
    /// trial team re-anchors it at `now` (a fresh cycle); a paid team cannot go back to trial.
    pub fn change_plan(&mut self, plan: Option<Plan>, seats: Option<u32>, now: Timestamp, cfg: &CreditConfig) -> Result<(), Refusal> {
        let new_plan = plan.unwrap_or(self.plan);
        let new_seats = check_seats(seats.unwrap_or(self.seats))?;
        if new_plan == Plan::Trial && self.plan != Plan::Trial {
            return Err(Refusal::new(ErrorCode::InvalidPlan, "a team on a paid plan cannot go back to the trial"));
        }
        self.settle(now, cfg);
        if self.plan == Plan::Trial && new_plan.is_paid() {
            self.anchor = now;
            self.period_start = now;
            self.monthly_paid = 0;
            self.used = 0;
        }
        self.plan = new_plan;
        self.seats = new_seats;
        Ok(())
    }

    /// A support refund of one usage row: in this period the credit goes back to the bucket
    /// that paid and Used goes down; a row from an earlier period goes to Extra Credits.
    pub fn refund(&mut self, row: RefundTarget, now: Timestamp, cfg: &CreditConfig) -> Result<(), Refusal> {
        if row.refunded {
            return Err(Refusal::new(ErrorCode::AlreadyRefunded, "this usage row was refunded already"));
        }
        self.settle(now, cfg);
        if row.recorded_at >= self.period_start {
            match row.bucket {
                Bucket::Monthly => self.monthly_paid = self.monthly_paid.saturating_sub(row.credits),
                Bucket::Extra => self.extra += row.credits,
            }
            self.used = self.used.saturating_sub(row.credits);
        } else {
            self.extra += row.credits;
        }
        Ok(())
    }

    /// The stat cards at `now` (rule 9) and `low` (rule 12).
    pub fn balance(&self, now: Timestamp, cfg: &CreditConfig) -> Balance {
        let mut l = self.clone();
        l.settle(now, cfg);
        let total = l.total(now, cfg);
        let remaining = total.saturating_sub(l.monthly_paid);
        let spendable = remaining + l.extra;
        Balance {
            remaining,
            used: l.used,
            total,
            extra: l.extra,
            spendable,
            resets_at: l.cycle(now, cfg).map(|c| c.end),
            plan: l.plan,
            seats: l.seats,
            low: is_low(spendable, total, l.low_percent),
            cycle_start: l.period_start,
        }
    }
}

/// A top-up's size: 1 ..= the configured maximum.
pub fn check_topup(credits: u64, cfg: &CreditConfig) -> Result<u64, Refusal> {
    if (1..=cfg.max_topup).contains(&credits) {
        Ok(credits)
    } else {
        Err(Refusal::new(ErrorCode::InvalidCredits, format!("credits must be a whole number from 1 to {}, got {credits}", cfg.max_topup)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Reason;
    use chrono::{DateTime, Duration, Utc};

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn pro(seats: u32, anchor: &str) -> (Ledger, CreditConfig) {
        let cfg = CreditConfig::default();
        (Ledger::new(Plan::Pro, seats, Some(t(anchor)), t(anchor), &cfg).unwrap(), cfg)
    }

    #[test]
    fn pro_with_three_seats_has_750() {
        let (l, cfg) = pro(3, "2026-11-05T12:00:00Z");
        let b = l.balance(t("2026-11-10T00:00:00Z"), &cfg);
        assert_eq!((b.total, b.remaining, b.used, b.extra, b.spendable), (750, 750, 0, 0, 750));
        assert_eq!(b.resets_at, Some(t("2026-12-05T12:00:00Z")));
        assert_eq!(b.cycle_start, t("2026-11-05T12:00:00Z"));
    }

    #[test]
    fn extra_is_spent_only_after_the_monthly_pool_and_survives_the_reset() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let now = t("2026-11-06T00:00:00Z");
        l.top_up(100, &cfg).unwrap();
        for _ in 0..250 {
            assert_eq!(l.charge(1, now, &cfg), Ok(Bucket::Monthly));
        }
        assert_eq!(l.balance(now, &cfg).extra, 100, "extra untouched while monthly lasts");
        for _ in 0..30 {
            assert_eq!(l.charge(1, now, &cfg), Ok(Bucket::Extra));
        }
        let b = l.balance(now, &cfg);
        assert_eq!((b.remaining, b.used, b.total, b.extra, b.spendable), (0, 280, 250, 70, 70));
        // The refill: the monthly pool is whole again, Extra untouched, no rollover.
        let after = t("2026-12-05T12:00:00Z");
        let b = l.balance(after, &cfg);
        assert_eq!((b.remaining, b.used, b.total, b.extra, b.spendable), (250, 0, 250, 70, 320));
        assert_eq!(l.charge(1, after, &cfg), Ok(Bucket::Monthly));
    }

    #[test]
    fn unused_monthly_credits_do_not_roll_over() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        l.charge(1, t("2026-11-06T00:00:00Z"), &cfg).unwrap();
        let b = l.balance(t("2027-01-06T00:00:00Z"), &cfg);
        assert_eq!((b.remaining, b.total, b.used), (250, 250, 0));
    }

    #[test]
    fn never_negative_nothing_charged_when_empty() {
        let cfg = CreditConfig { lite_per_seat: 2, ..CreditConfig::default() };
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
        l.top_up(1, &cfg).unwrap();
        assert!(l.charge(1, now, &cfg).is_ok());
        assert!(l.charge(1, now, &cfg).is_ok());
        assert!(l.charge(1, now, &cfg).is_ok());
        let before = l.clone();
        assert_eq!(l.charge(1, now, &cfg), Err(Reason::InsufficientCredits));
        assert_eq!(l, before, "a refused charge changes nothing");
        let b = l.balance(now, &cfg);
        assert_eq!((b.spendable, b.low), (0, true));
    }

    #[test]
    fn three_rerolls_of_a_cover_letter_cost_four() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let now = t("2026-11-06T00:00:00Z");
        for _ in 0..4 {
            l.charge(cfg.prices.cost(crate::Action::CoverLetter).into(), now, &cfg).unwrap();
        }
        assert_eq!(l.balance(now, &cfg).used, 4);
    }

    #[test]
    fn auto_bid_costs_evaluations_plus_submissions() {
        use crate::Action::{AutoBid, JobMatching};
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let now = t("2026-11-06T00:00:00Z");
        let (evaluated, submitted) = (60u64, 50u64);
        for _ in 0..evaluated {
            l.charge(cfg.prices.cost(JobMatching).into(), now, &cfg).unwrap();
        }
        for _ in 0..submitted {
            l.charge(cfg.prices.cost(AutoBid).into(), now, &cfg).unwrap();
        }
        assert_eq!(l.balance(now, &cfg).used, evaluated + submitted);
    }

    #[test]
    fn plan_and_seat_changes_apply_at_once() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let now = t("2026-11-06T00:00:00Z");
        for _ in 0..200 {
            l.charge(1, now, &cfg).unwrap();
        }
        l.change_plan(Some(Plan::Lite), Some(1), now, &cfg).unwrap();
        let b = l.balance(now, &cfg);
        assert_eq!((b.total, b.remaining, b.used), (100, 0, 200), "remaining never below 0");
        l.change_plan(Some(Plan::Max), Some(2), now, &cfg).unwrap();
        let b = l.balance(now, &cfg);
        assert_eq!((b.total, b.remaining, b.used, b.resets_at), (1000, 800, 200, Some(t("2026-12-05T12:00:00Z"))));
        assert_eq!(l.change_plan(None, Some(0), now, &cfg).unwrap_err().code, "invalid_seats");
        assert_eq!(l.change_plan(Some(Plan::Trial), None, now, &cfg).unwrap_err().code, "invalid_plan");
    }

    #[test]
    fn trial_resets_daily_then_ends_with_extra_still_spendable() {
        let cfg = CreditConfig::default();
        let anchor = t("2026-11-01T08:00:00Z");
        let mut l = Ledger::new(Plan::Trial, 1, None, anchor, &cfg).unwrap();
        for _ in 0..20 {
            l.charge(1, anchor, &cfg).unwrap();
        }
        assert_eq!(l.charge(1, anchor, &cfg), Err(Reason::InsufficientCredits));
        let day2 = anchor + Duration::days(1);
        let b = l.balance(day2, &cfg);
        assert_eq!((b.total, b.remaining, b.used, b.resets_at), (20, 20, 0, Some(anchor + Duration::days(2))));
        l.top_up(5, &cfg).unwrap();
        let over = anchor + Duration::days(14);
        let b = l.balance(over, &cfg);
        assert_eq!((b.total, b.remaining, b.extra, b.spendable, b.resets_at), (0, 0, 5, 5, None));
        assert_eq!(l.charge(1, over, &cfg), Ok(Bucket::Extra));
        assert_eq!(l.balance(over, &cfg).used, 1);
        // A paid plan re-anchors the team at that moment.
        let paid_at = over + Duration::hours(5);
        l.change_plan(Some(Plan::Lite), Some(2), paid_at, &cfg).unwrap();
        let b = l.balance(paid_at, &cfg);
        assert_eq!((b.total, b.remaining, b.used, b.extra), (200, 200, 0, 4));
        assert_eq!(b.resets_at, Some(t("2026-12-15T13:00:00Z")));
        assert_eq!(l.anchor, paid_at);
    }

    #[test]
    fn refunds_go_back_where_they_came_from() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let now = t("2026-11-06T00:00:00Z");
        l.top_up(10, &cfg).unwrap();
        for _ in 0..251 {
            l.charge(1, now, &cfg).unwrap();
        }
        let monthly = RefundTarget { bucket: Bucket::Monthly, credits: 1, recorded_at: now, refunded: false };
        let extra = RefundTarget { bucket: Bucket::Extra, credits: 1, recorded_at: now, refunded: false };
        l.refund(monthly, now, &cfg).unwrap();
        let b = l.balance(now, &cfg);
        assert_eq!((b.remaining, b.used, b.extra), (1, 250, 9));
        l.refund(extra, now, &cfg).unwrap();
        let b = l.balance(now, &cfg);
        assert_eq!((b.remaining, b.used, b.extra), (1, 249, 10));
        // A row from an earlier cycle comes back as Extra Credits.
        let later = t("2026-12-06T00:00:00Z");
        l.refund(monthly, later, &cfg).unwrap();
        let b = l.balance(later, &cfg);
        assert_eq!((b.remaining, b.used, b.extra), (250, 0, 11));
        let done = RefundTarget { refunded: true, ..monthly };
        assert_eq!(l.refund(done, later, &cfg).unwrap_err().code, "already_refunded");
    }

    #[test]
    fn bad_input_is_refused() {
        let cfg = CreditConfig::default();
        let now = t("2026-11-06T00:00:00Z");
        assert_eq!(Ledger::new(Plan::Pro, 1, Some(now + Duration::seconds(1)), now, &cfg).unwrap_err().code, "anchor_in_future");
        assert_eq!(Ledger::new(Plan::Pro, 0, None, now, &cfg).unwrap_err().code, "invalid_seats");
        let mut l = Ledger::new(Plan::Pro, 1, None, now, &cfg).unwrap();
        let before = l.clone();
        for bad in [0, 1_000_001] {
            assert_eq!(l.top_up(bad, &cfg).unwrap_err().code, "invalid_credits");
        }
        assert_eq!(l, before);
        l.top_up(1_000_000, &cfg).unwrap();
    }

    #[test]
    fn low_is_ten_percent_of_total() {
        let cfg = CreditConfig::default();
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
        for _ in 0..89 {
            l.charge(1, now, &cfg).unwrap();
        }
        assert!(!l.balance(now, &cfg).low, "11 of 100 left");
        l.charge(1, now, &cfg).unwrap();
        assert!(l.balance(now, &cfg).low, "10 of 100 left");
    }

    #[test]
    fn a_clock_stepping_back_hands_out_nothing() {
        let (mut l, cfg) = pro(1, "2026-11-05T12:00:00Z");
        let dec = t("2026-12-06T00:00:00Z");
        l.charge(1, dec, &cfg).unwrap();
        let earlier = t("2026-12-05T11:00:00Z");
        l.settle(earlier, &cfg);
        assert_eq!(l.used, 1);
        assert_eq!(l.period_start, t("2026-12-05T12:00:00Z"));
    }
}
