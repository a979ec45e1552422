//! The plan advisor (`GET /v1/insights`' `plan_advice`, decided by the core in the backend)
//! as one plain sentence with the figures behind it, for owners: what to do, how much a
//! cycle takes and what the plan gives, and what that is based on.

use credits_core::insights::plan_advice::{AdviceBasis, PlanAdvice, Recommendation};

use super::cards::plan_name;
use super::text::{Msg, Sub, credits, msg, msg_with, number};

/// "Top up 50 credits a cycle: the team uses about 300 credits a cycle over the last 3
/// cycles, 50 credits of it from Extra Credits, and your plan gives 250 credits."
pub fn advice(a: &PlanAdvice) -> Msg {
    let basis = match (a.basis, a.cycles.len()) {
        (AdviceBasis::ThisCyclePace, _) | (_, 0) => msg("planBasisPace"),
        (_, 1) => msg("planBasisCycle"),
        (_, n) => msg_with("planBasisCycles", vec![number(n as u64)]),
    };
    let figures =
        Sub::Msg(msg_with("planFigures", vec![Sub::Msg(credits(a.per_cycle)), Sub::Msg(basis), Sub::Msg(credits(a.extra_per_cycle)), Sub::Msg(credits(a.allowance))]));
    // The recommended option is listed first; `stay` is always listed (its seats are the team's).
    let chosen = a.options.iter().find(|o| o.kind == a.recommendation);
    let seats_now = a.options.iter().find(|o| o.kind == Recommendation::Stay).map_or(0, |o| o.seats);
    match (a.recommendation, chosen) {
        (Recommendation::TopUp, Some(o)) => msg_with("planTopUp", vec![Sub::Msg(credits(o.top_up.unwrap_or(0))), figures]),
        (Recommendation::AddSeats, Some(o)) => {
            let more = o.seats.saturating_sub(seats_now).max(1);
            let seats = if more == 1 { msg("seatOne") } else { msg_with("seatsMany", vec![number(u64::from(more))]) };
            msg_with("planAddSeats", vec![Sub::Msg(seats), Sub::Msg(plan_name(o.plan)), Sub::Msg(credits(o.credits)), figures])
        }
        (Recommendation::Upgrade, Some(o)) => msg_with("planUpgrade", vec![Sub::Msg(plan_name(o.plan)), Sub::Msg(credits(o.credits)), figures]),
        (Recommendation::Downgrade, Some(o)) => msg_with("planDowngrade", vec![Sub::Msg(plan_name(o.plan)), Sub::Msg(credits(o.credits)), figures]),
        _ => msg_with("planStay", vec![figures]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;
    use credits_core::Plan;
    use credits_core::insights::plan_advice::{CycleUse, PlanOption};

    fn option(kind: Recommendation, plan: Plan, seats: u32, credits: u64, top_up: Option<u64>) -> PlanOption {
        PlanOption { kind, plan, seats, credits, top_up, cost: None }
    }

    fn advice_of(recommendation: Recommendation, cycles: usize, options: Vec<PlanOption>) -> PlanAdvice {
        let at = "2026-10-01T00:00:00Z".parse().unwrap();
        PlanAdvice {
            basis: if cycles == 0 { AdviceBasis::ThisCyclePace } else { AdviceBasis::CompletedCycles },
            cycles: vec![CycleUse { start: at, end: at, used: 300, extra: 50 }; cycles],
            per_cycle: 300,
            extra_per_cycle: 50,
            allowance: 250,
            recommendation,
            options,
            currency: None,
        }
    }

    #[test]
    fn one_sentence_per_recommendation_with_its_figures() {
        let t = Catalog::en();
        let stay = option(Recommendation::Stay, Plan::Pro, 1, 250, None);
        let say = |r, cycles, first: PlanOption| t.say(&advice(&advice_of(r, cycles, vec![first, stay.clone()])));
        let figures = "the team uses about 300 credits a cycle";
        let top_up = say(Recommendation::TopUp, 3, option(Recommendation::TopUp, Plan::Pro, 1, 300, Some(50)));
        assert_eq!(
            top_up,
            "Top up 50 credits a cycle: the team uses about 300 credits a cycle over the last 3 cycles, 50 credits of it from Extra Credits, and your plan gives 250 credits."
        );
        let seats = say(Recommendation::AddSeats, 1, option(Recommendation::AddSeats, Plan::Pro, 2, 500, None));
        assert!(seats.starts_with("Add 1 seat on Pro (500 credits a cycle): ") && seats.contains("over the last cycle,"), "{seats}");
        let seats = say(Recommendation::AddSeats, 2, option(Recommendation::AddSeats, Plan::Pro, 4, 1000, None));
        assert!(seats.starts_with("Add 3 seats on Pro (1,000 credits a cycle): ") && seats.contains("over the last 2 cycles,"), "{seats}");
        let up = say(Recommendation::Upgrade, 0, option(Recommendation::Upgrade, Plan::Max, 1, 500, None));
        assert!(up.starts_with("Move up to Max (500 credits a cycle): ") && up.contains("from this cycle's pace,"), "{up}");
        let down = say(Recommendation::Downgrade, 3, option(Recommendation::Downgrade, Plan::Lite, 1, 400, None));
        assert!(down.starts_with("Move down to Lite (400 credits a cycle): ") && down.contains(figures), "{down}");
        let stayed = t.say(&advice(&advice_of(Recommendation::Stay, 3, vec![stay.clone()])));
        assert!(stayed.starts_with("Your plan fits: ") && stayed.contains(figures) && stayed.ends_with("250 credits."), "{stayed}");
    }
}
