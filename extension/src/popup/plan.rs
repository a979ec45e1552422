//! The plan advisor (`GET /v1/insights`' `plan_advice`, decided by the core in the backend)
//! as one plain sentence with the figures behind it, for owners: what to do, how much a
//! cycle takes and what the plan gives, and what that is based on (the completed cycles or
//! this cycle's pace; their number is not read: it would cost the WASM more than it says).

use credits_core::api::PlanAdviceFigures;
use credits_core::insights::plan_advice::{AdviceBasis, Recommendation};

use super::cards::plan_name;
use super::text::{Msg, Sub, credits, msg, msg_with, number};

/// "Top up 50 credits a cycle: the team uses about 300 credits a cycle over its last
/// completed cycles (3 at most), 50 credits of it from Extra Credits, and your plan gives
/// 250 credits." `seats_now`: the team's seats. `early`: this cycle's pace is a guess
/// ([`credits_core::insights::too_early`]); advice from it says so.
pub fn advice(a: &PlanAdviceFigures, seats_now: u32, early: bool) -> Msg {
    let sentence = sentence(a, seats_now);
    if early && a.basis == AdviceBasis::ThisCyclePace { msg_with("planEarly", vec![Sub::Msg(sentence)]) } else { sentence }
}

fn sentence(a: &PlanAdviceFigures, seats_now: u32) -> Msg {
    let basis = msg(if a.basis == AdviceBasis::ThisCyclePace { "planBasisPace" } else { "planBasisCycles" });
    let figures = Sub::Msg(msg_with(
        "planFigures",
        vec![Sub::Msg(credits(a.per_cycle)), Sub::Msg(basis), Sub::Msg(credits(a.extra_per_cycle)), Sub::Msg(credits(a.allowance))],
    ));
    // The core lists the recommended option first.
    let chosen = a.options.first();
    let Some(o) = chosen.filter(|_| a.recommendation != Recommendation::Stay) else { return msg_with("planStay", vec![figures]) };
    let (plan, gives) = (Sub::Msg(plan_name(o.plan)), Sub::Msg(credits(o.credits)));
    match a.recommendation {
        Recommendation::TopUp => msg_with("planTopUp", vec![Sub::Msg(credits(o.top_up.unwrap_or(0))), figures]),
        Recommendation::AddSeats => {
            let more = o.seats.saturating_sub(seats_now).max(1);
            let seats = if more == 1 { msg("seatOne") } else { msg_with("seatsMany", vec![number(u64::from(more))]) };
            msg_with("planAddSeats", vec![Sub::Msg(seats), plan, gives, figures])
        }
        up_or_down => msg_with(if up_or_down == Recommendation::Upgrade { "planUpgrade" } else { "planDowngrade" }, vec![plan, gives, figures]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;
    use credits_core::Plan;
    use credits_core::api::PlanOptionFigures as PlanOption;

    fn option(plan: Plan, seats: u32, credits: u64, top_up: Option<u64>) -> PlanOption {
        PlanOption { plan, seats, credits, top_up }
    }

    fn advice_of(recommendation: Recommendation, cycles: usize, options: Vec<PlanOption>) -> PlanAdviceFigures {
        PlanAdviceFigures {
            basis: if cycles == 0 { AdviceBasis::ThisCyclePace } else { AdviceBasis::CompletedCycles },
            per_cycle: 300,
            extra_per_cycle: 50,
            allowance: 250,
            recommendation,
            options,
        }
    }

    #[test]
    fn one_sentence_per_recommendation_with_its_figures() {
        let t = Catalog::en();
        let stay = option(Plan::Pro, 1, 250, None);
        let say = |r, cycles, first: PlanOption| t.say(&advice(&advice_of(r, cycles, vec![first, stay.clone()]), 1, false));
        let figures = "the team uses about 300 credits a cycle";
        let top_up = say(Recommendation::TopUp, 3, option(Plan::Pro, 1, 300, Some(50)));
        assert_eq!(
            top_up,
            "Top up 50 credits a cycle: the team uses about 300 credits a cycle over its last completed cycles (3 at most), 50 credits of it from Extra Credits, and your plan gives 250 credits."
        );
        let seats = say(Recommendation::AddSeats, 1, option(Plan::Pro, 2, 500, None));
        assert!(seats.starts_with("Add 1 seat on Pro (500 credits a cycle): ") && seats.contains("over its last completed cycles"), "{seats}");
        let seats = say(Recommendation::AddSeats, 2, option(Plan::Pro, 4, 1000, None));
        assert!(seats.starts_with("Add 3 seats on Pro (1,000 credits a cycle): ") && seats.contains("over its last completed cycles"), "{seats}");
        let up = say(Recommendation::Upgrade, 0, option(Plan::Max, 1, 500, None));
        assert!(up.starts_with("Move up to Max (500 credits a cycle): ") && up.contains("from this cycle's pace,"), "{up}");
        let down = say(Recommendation::Downgrade, 3, option(Plan::Lite, 1, 400, None));
        assert!(down.starts_with("Move down to Lite (400 credits a cycle): ") && down.contains(figures), "{down}");
        let stayed = t.say(&advice(&advice_of(Recommendation::Stay, 3, vec![stay.clone()]), 1, false));
        assert!(stayed.starts_with("Your plan fits: ") && stayed.contains(figures) && stayed.ends_with("250 credits."), "{stayed}");
    }

    #[test]
    fn advice_from_less_than_a_day_of_pace_says_it_is_an_early_estimate() {
        let t = Catalog::en();
        let up = vec![option(Plan::Max, 1, 500, None), option(Plan::Pro, 1, 250, None)];
        let early = t.say(&advice(&advice_of(Recommendation::Upgrade, 0, up.clone()), 1, true));
        assert!(early.starts_with("Early estimate, from less than a day of use: Move up to Max"), "{early}");
        // Completed cycles are not a guess, however young this cycle is.
        let cycles = t.say(&advice(&advice_of(Recommendation::Upgrade, 2, up), 1, true));
        assert!(cycles.starts_with("Move up to Max"), "{cycles}");
    }
}
