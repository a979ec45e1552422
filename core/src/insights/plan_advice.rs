//! The plan advisor: from the team's completed cycles (the last three at most) or, lacking
//! one, this cycle's pace, how much a cycle takes, how much of it Extra Credits paid, and
//! which change fits: stay, top up, add seats, move up or down a plan. It speaks in credits;
//! money only where the operator configured prices (none is ever invented).

use serde::{Deserialize, Serialize};

use crate::api::Balance;
use crate::cycle::{Timestamp, cycle_at, monthly_boundary};
use crate::plan::{CreditConfig, Plan};
use crate::refusal::{ErrorCode, Refusal};

/// Completed cycles the advice looks at, at most.
pub const CYCLES: u32 = 3;
/// A shortfall up to this percent of the allowance is a top-up; more is a bigger plan.
pub const TOP_UP_PERCENT: u64 = 20;
/// Moving down needs the lower plan to cover use with this percent to spare.
pub const DOWN_MARGIN_PERCENT: u64 = 20;

/// One completed cycle's use (non-refunded usage rows recorded in it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleUse {
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub start: chrono::DateTime<chrono::Utc>,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub end: chrono::DateTime<chrono::Utc>,
    pub used: u64,
    /// What Extra Credits paid of it.
    pub extra: u64,
}

/// The operator's prices (`credits-backend prices set`), in one currency.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub currency: String,
    /// Monthly price per seat of each paid plan; a missing plan has no price.
    #[serde(default)]
    pub plans: PlanPrices,
    /// Each Extra Credits pack's price.
    #[serde(default)]
    pub packs: Vec<PackPrice>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPrices {
    pub lite: Option<f64>,
    pub pro: Option<f64>,
    pub max: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackPrice {
    pub credits: u64,
    pub price: f64,
}

impl Prices {
    /// Checks a parsed prices document: a currency, prices that are numbers from 0.
    pub fn check(self) -> Result<Prices, Refusal> {
        let p = self;
        let bad = |m: String| Refusal::new(ErrorCode::BadRequest, m);
        if p.currency.trim().is_empty() || p.currency.len() > 10 {
            return Err(bad("currency must be a short code such as USD".into()));
        }
        let mut prices = [p.plans.lite, p.plans.pro, p.plans.max].into_iter().flatten().chain(p.packs.iter().map(|k| k.price));
        if prices.any(|v| !v.is_finite() || v < 0.0) || p.packs.iter().any(|k| k.credits == 0) {
            return Err(bad("prices must be numbers from 0 and packs at least 1 credit".into()));
        }
        Ok(p)
    }

    fn plan(&self, plan: Plan, seats: u32) -> Option<f64> {
        let per_seat = match plan {
            Plan::Trial => None,
            Plan::Lite => self.plans.lite,
            Plan::Pro => self.plans.pro,
            Plan::Max => self.plans.max,
        };
        per_seat.map(|p| p * f64::from(seats))
    }

    /// The cheapest way to buy at least `credits` with one kind of pack, if any is priced.
    fn top_up(&self, credits: u64) -> Option<f64> {
        self.packs.iter().map(|k| credits.div_ceil(k.credits) as f64 * k.price).min_by(f64::total_cmp)
    }
}

/// Where the figures come from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceBasis {
    CompletedCycles,
    /// Less than one completed cycle: this cycle's pace, projected to its end.
    ThisCyclePace,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    Stay,
    TopUp,
    AddSeats,
    Upgrade,
    Downgrade,
}

/// One option with what it gives per cycle and, where priced, what a cycle costs with it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanOption {
    pub kind: Recommendation,
    pub plan: Plan,
    pub seats: u32,
    /// Credits a cycle gives with this option (the allowance, plus the top-up).
    pub credits: u64,
    /// Extra Credits to buy per cycle (top-up only).
    pub top_up: Option<u64>,
    /// A cycle's price with this option; null where a price is not configured.
    pub cost: Option<f64>,
}

/// `plan_advice` of `GET /v1/insights`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanAdvice {
    pub basis: AdviceBasis,
    /// The completed cycles looked at, oldest first (empty with `this_cycle_pace`).
    pub cycles: Vec<CycleUse>,
    /// Credits a cycle takes (the average of `cycles`, or this cycle projected).
    pub per_cycle: u64,
    /// What Extra Credits paid per cycle on average.
    pub extra_per_cycle: u64,
    /// What the current plan and seats give per cycle.
    pub allowance: u64,
    pub recommendation: Recommendation,
    /// The recommended option first; `stay` is always listed.
    pub options: Vec<PlanOption>,
    /// The prices' currency when prices are configured.
    pub currency: Option<String>,
}

/// The completed cycles of a paid team before the one starting at `current_start`, oldest
/// first, at most [`CYCLES`], none before the anchor.
pub fn completed_cycles(plan: Plan, anchor: Timestamp, current_start: Timestamp, cfg: &CreditConfig) -> Vec<(Timestamp, Timestamp)> {
    if !plan.is_paid() {
        return Vec::new();
    }
    let Some(current) = cycle_at(plan, anchor, current_start, cfg) else { return Vec::new() };
    (current.index.saturating_sub(CYCLES)..current.index).map(|k| (monthly_boundary(anchor, k), monthly_boundary(anchor, k + 1))).collect()
}

const PAID: [Plan; 3] = [Plan::Lite, Plan::Pro, Plan::Max];

/// The advice for a team on `balance`'s plan and seats.
pub fn plan_advice(cycles: &[CycleUse], balance: &Balance, now: Timestamp, cfg: &CreditConfig, prices: Option<&Prices>) -> PlanAdvice {
    let (basis, per_cycle, extra_per_cycle) = if cycles.is_empty() {
        // The pace so far, over the cycle's length (30 days where there is no cycle end).
        let length = balance.resets_at.map_or(30.0 * 86_400.0, |end| (end - balance.cycle_start).num_seconds().max(1) as f64);
        let elapsed = ((now - balance.cycle_start).num_seconds() as f64).clamp(86_400.0_f64.min(length), length);
        let project = |v: u64| (v as f64 * length / elapsed).ceil() as u64;
        let extra_used = balance.used.saturating_sub(balance.total.saturating_sub(balance.remaining));
        (AdviceBasis::ThisCyclePace, project(balance.used), project(extra_used))
    } else {
        let n = cycles.len() as u64;
        (
            AdviceBasis::CompletedCycles,
            cycles.iter().map(|c| c.used).sum::<u64>().div_ceil(n),
            cycles.iter().map(|c| c.extra).sum::<u64>().div_ceil(n),
        )
    };
    let (plan, seats) = (balance.plan, balance.seats);
    let allowance = cfg.allowance(plan, seats);
    let option = |kind, plan: Plan, seats: u32, top_up: Option<u64>| {
        let credits = cfg.allowance(plan, seats) + top_up.unwrap_or(0);
        let cost = prices.and_then(|p| {
            let plan_cost = if plan.is_paid() { p.plan(plan, seats)? } else { 0.0 };
            Some(plan_cost + top_up.map_or(Some(0.0), |t| p.top_up(t))?)
        });
        PlanOption { kind, plan, seats, credits, top_up, cost }
    };
    let stay = option(Recommendation::Stay, plan, seats, None);
    let mut options = Vec::new();
    let shortfall = per_cycle.saturating_sub(allowance);
    if shortfall > 0 {
        options.push(option(Recommendation::TopUp, plan, seats, Some(shortfall)));
        // On the trial, seats are added on the smallest paid plan.
        let seat_plan = if plan.is_paid() { plan } else { Plan::Lite };
        let more = u32::try_from(per_cycle.div_ceil(cfg.per_seat(seat_plan).max(1))).unwrap_or(u32::MAX).max(seats);
        if more > seats || !plan.is_paid() {
            options.push(option(Recommendation::AddSeats, seat_plan, more, None));
        }
        if let Some(up) = PAID.into_iter().filter(|p| rank(*p) > rank(plan)).find(|p| cfg.allowance(*p, seats) >= per_cycle) {
            options.push(option(Recommendation::Upgrade, up, seats, None));
        }
    } else if let Some(down) =
        PAID.into_iter().filter(|p| rank(*p) < rank(plan)).find(|p| cfg.allowance(*p, seats) * 100 >= per_cycle * (100 + DOWN_MARGIN_PERCENT))
    {
        options.push(option(Recommendation::Downgrade, down, seats, None));
    }
    let pick = match prices {
        // With prices: the cheapest priced option that covers a cycle (staying, only if it does).
        Some(_) if options.iter().any(|o| o.cost.is_some()) => {
            let covers = |o: &PlanOption| o.credits >= per_cycle;
            let mut priced: Vec<&PlanOption> = options.iter().chain([&stay]).filter(|o| o.cost.is_some() && covers(o)).collect();
            priced.sort_by(|a, b| a.cost.unwrap_or(f64::MAX).total_cmp(&b.cost.unwrap_or(f64::MAX)));
            priced.first().map(|o| o.kind)
        }
        _ => None,
    };
    let recommendation = pick.unwrap_or_else(|| {
        if shortfall == 0 {
            options.first().map_or(Recommendation::Stay, |o| o.kind)
        } else if shortfall * 100 <= allowance * TOP_UP_PERCENT && plan.is_paid() {
            Recommendation::TopUp
        } else if options.iter().any(|o| o.kind == Recommendation::Upgrade) {
            Recommendation::Upgrade
        } else {
            Recommendation::AddSeats
        }
    });
    options.push(stay);
    options.sort_by_key(|o| o.kind != recommendation);
    PlanAdvice {
        basis,
        cycles: cycles.to_vec(),
        per_cycle,
        extra_per_cycle,
        allowance,
        recommendation,
        options,
        currency: prices.map(|p| p.currency.clone()),
    }
}

fn rank(plan: Plan) -> u8 {
    match plan {
        Plan::Trial => 0,
        Plan::Lite => 1,
        Plan::Pro => 2,
        Plan::Max => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};

    fn parse(json: &str) -> Result<Prices, String> {
        serde_json::from_str::<Prices>(json).map_err(|e| e.to_string())?.check().map_err(|r| r.message)
    }

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn balance(plan: Plan, seats: u32, used: u64) -> Balance {
        let cfg = CreditConfig::default();
        let total = cfg.allowance(plan, seats);
        Balance {
            remaining: total.saturating_sub(used),
            used,
            total,
            extra: 0,
            spendable: total.saturating_sub(used),
            resets_at: Some(t("2026-12-01T00:00:00Z")),
            plan,
            seats,
            low: false,
            cycle_start: t("2026-11-01T00:00:00Z"),
        }
    }

    fn cycles(used: &[(u64, u64)]) -> Vec<CycleUse> {
        let start = t("2026-08-01T00:00:00Z");
        used.iter()
            .enumerate()
            .map(|(i, &(used, extra))| CycleUse {
                start: start + Duration::days(31 * i as i64),
                end: start + Duration::days(31 * (i as i64 + 1)),
                used,
                extra,
            })
            .collect()
    }

    const NOW: &str = "2026-11-16T00:00:00Z";

    #[test]
    fn a_team_within_its_plan_stays() {
        let cfg = CreditConfig::default();
        let a = plan_advice(&cycles(&[(200, 0), (220, 0), (240, 0)]), &balance(Plan::Pro, 1, 100), t(NOW), &cfg, None);
        assert_eq!(
            (a.basis, a.per_cycle, a.extra_per_cycle, a.allowance, a.recommendation),
            (AdviceBasis::CompletedCycles, 220, 0, 250, Recommendation::Stay)
        );
        assert_eq!(a.options.len(), 1);
        assert_eq!(a.options[0].cost, None, "no price invented");
        assert_eq!(a.currency, None);
    }

    #[test]
    fn a_small_regular_shortfall_is_a_top_up_a_large_one_a_bigger_plan() {
        let cfg = CreditConfig::default();
        let a = plan_advice(&cycles(&[(270, 20), (280, 30)]), &balance(Plan::Pro, 1, 0), t(NOW), &cfg, None);
        assert_eq!((a.per_cycle, a.extra_per_cycle, a.recommendation), (275, 25, Recommendation::TopUp));
        assert_eq!((a.options[0].top_up, a.options[0].credits), (Some(25), 275));
        let a = plan_advice(&cycles(&[(450, 200), (480, 230), (470, 220)]), &balance(Plan::Pro, 1, 0), t(NOW), &cfg, None);
        assert_eq!(a.recommendation, Recommendation::Upgrade);
        assert_eq!((a.options[0].plan, a.options[0].seats, a.options[0].credits), (Plan::Max, 1, 500));
        assert!(a.options.iter().any(|o| o.kind == Recommendation::AddSeats && o.seats == 2 && o.credits == 500));
        // Beyond the largest plan: seats.
        let a = plan_advice(&cycles(&[(1400, 900)]), &balance(Plan::Max, 1, 0), t(NOW), &cfg, None);
        assert_eq!((a.recommendation, a.options[0].seats, a.options[0].credits), (Recommendation::AddSeats, 3, 1500));
    }

    #[test]
    fn much_unused_allowance_moves_down() {
        let cfg = CreditConfig::default();
        let a = plan_advice(&cycles(&[(60, 0), (70, 0), (80, 0)]), &balance(Plan::Pro, 1, 10), t(NOW), &cfg, None);
        assert_eq!((a.recommendation, a.options[0].plan, a.options[0].credits), (Recommendation::Downgrade, Plan::Lite, 100));
        // 90 a cycle leaves Lite too little room: stay.
        let a = plan_advice(&cycles(&[(90, 0)]), &balance(Plan::Pro, 1, 10), t(NOW), &cfg, None);
        assert_eq!(a.recommendation, Recommendation::Stay);
    }

    #[test]
    fn without_a_completed_cycle_the_pace_is_projected() {
        let cfg = CreditConfig::default();
        // Half of November gone, 180 used: 360 a cycle on Pro (250), over a top-up's size.
        let a = plan_advice(&[], &balance(Plan::Pro, 1, 180), t(NOW), &cfg, None);
        assert_eq!((a.basis, a.per_cycle, a.recommendation), (AdviceBasis::ThisCyclePace, 360, Recommendation::Upgrade));
        let a = plan_advice(&[], &balance(Plan::Pro, 1, 150), t(NOW), &cfg, None);
        assert_eq!((a.per_cycle, a.recommendation), (300, Recommendation::TopUp));
        assert!(a.cycles.is_empty());
    }

    #[test]
    fn prices_compare_money_only_where_configured() {
        let cfg = CreditConfig::default();
        let prices = parse(r#"{"currency": "USD", "plans": {"lite": 9, "pro": 19, "max": 29}, "packs": [{"credits": 100, "price": 15}]}"#).unwrap();
        // 25 short on Pro: a 100-credit pack (19 + 15 = 34) costs more than Max (29).
        let a = plan_advice(&cycles(&[(275, 25)]), &balance(Plan::Pro, 1, 0), t(NOW), &cfg, Some(&prices));
        assert_eq!((a.recommendation, a.options[0].cost, a.currency.as_deref()), (Recommendation::Upgrade, Some(29.0), Some("USD")));
        let top = a.options.iter().find(|o| o.kind == Recommendation::TopUp).unwrap();
        assert_eq!(top.cost, Some(34.0));
        assert_eq!(a.options.iter().find(|o| o.kind == Recommendation::Stay).unwrap().cost, Some(19.0));
        // Only packs priced: plans carry no cost, and the credits rule decides.
        let packs_only = parse(r#"{"currency": "EUR", "packs": [{"credits": 100, "price": 15}]}"#).unwrap();
        let a = plan_advice(&cycles(&[(275, 25)]), &balance(Plan::Pro, 1, 0), t(NOW), &cfg, Some(&packs_only));
        assert!(a.options.iter().all(|o| o.cost.is_none()), "a plan's price is never invented");
        assert_eq!(a.recommendation, Recommendation::TopUp);
    }

    #[test]
    fn bad_prices_are_refused() {
        for bad in [
            r#"{"plans": {}}"#,
            r#"{"currency": "", "plans": {}}"#,
            r#"{"currency": "USD", "plans": {"trial": 1}}"#,
            r#"{"currency": "USD", "plans": {"pro": -1}}"#,
            r#"{"currency": "USD", "packs": [{"credits": 0, "price": 1}]}"#,
            r#"{"currency": "USD", "x": 1}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn completed_cycles_are_the_last_three_since_the_anchor() {
        let cfg = CreditConfig::default();
        let anchor = t("2026-06-05T00:00:00Z");
        let c = completed_cycles(Plan::Pro, anchor, t("2026-11-05T00:00:00Z"), &cfg);
        assert_eq!(
            c,
            [
                (t("2026-08-05T00:00:00Z"), t("2026-09-05T00:00:00Z")),
                (t("2026-09-05T00:00:00Z"), t("2026-10-05T00:00:00Z")),
                (t("2026-10-05T00:00:00Z"), t("2026-11-05T00:00:00Z"))
            ]
        );
        assert_eq!(completed_cycles(Plan::Pro, anchor, t("2026-07-05T00:00:00Z"), &cfg).len(), 1);
        assert!(completed_cycles(Plan::Pro, anchor, anchor, &cfg).is_empty());
        assert!(completed_cycles(Plan::Trial, anchor, anchor, &cfg).is_empty());
    }
}
