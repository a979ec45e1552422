//! The four stat cards (seed 001's order: Credits Remaining, Credits Used, Total Credits,
//! Extra Credits), "Resets DATE" in the corner, and Top Up on the Extra Credits card for
//! owners. The cards' headings and `<output>`s are static in popup.html; these are their
//! contents. The figures are the core's `Outbox::projection`: the backend's last balance
//! less the events still waiting to sync.

use credits_core::Plan;
use credits_core::api::{Me, MemberBudget, Role};
use credits_core::client::Projection;
use serde::Serialize;

use super::text::{Msg, Sub, credits, msg, msg_with, number};

/// The card values (none while no balance is known: the page shows "–").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cards {
    pub remaining: u64,
    pub used: u64,
    pub total: u64,
    pub extra: u64,
}

pub fn values(p: Option<&Projection>) -> Option<Cards> {
    p.map(|p| Cards { remaining: p.remaining, used: p.used, total: p.total, extra: p.extra })
}

/// The corner: "Resets Nov 28", "Resets daily" on the trial, or no reset (a trial that is over).
pub fn resets(p: Option<&Projection>, plan: Option<Plan>) -> Option<Msg> {
    let p = p?;
    Some(match p.resets_at {
        Some(_) if plan == Some(Plan::Trial) => msg("resetsDaily"),
        Some(at) => msg_with("resetsOn", vec![Sub::Date(at)]),
        None => msg("resetsNever"),
    })
}

/// The headline: the page badge's number (what can be spent now), its parts named.
pub fn available(p: Option<&Projection>) -> Option<Msg> {
    p.map(|p| msg_with("availableNow", vec![number(p.spendable), number(p.remaining), number(p.extra)]))
}

/// "Pro · 3 seats · 750 credits a month".
pub fn plan_line(p: Option<&Projection>, plan: Option<Plan>, seats: Option<u32>) -> Option<Msg> {
    let (p, plan, seats) = (p?, plan?, seats?);
    Some(msg_with(if seats == 1 { "planLineOne" } else { "planLine" }, vec![Sub::Msg(plan_name(plan)), number(u64::from(seats)), number(p.total)]))
}

/// A plan's name.
pub fn plan_name(plan: Plan) -> Msg {
    msg(match plan {
        Plan::Trial => "planTrial",
        Plan::Lite => "planLite",
        Plan::Pro => "planPro",
        Plan::Max => "planMax",
    })
}

/// "Your budget: 28 of 40 credits left this cycle": the token's own member, where the owner
/// set it a budget (`GET /v1/balance`'s `member`). This browser's clicks not yet synced are
/// taken off, as the cards take them off the pool.
pub fn budget(member: Option<&MemberBudget>, pending: u64) -> Option<Msg> {
    let (budget, left) = (member?.budget?, member?.left?);
    Some(msg_with("budgetLine", vec![number(left.saturating_sub(pending)), Sub::Msg(credits(budget))]))
}

/// Under the cards: how many of this browser's clicks the figures already count but the
/// backend has not heard of yet.
pub fn note(p: Option<&Projection>) -> Option<Msg> {
    match p.map(|p| p.pending) {
        Some(1) => Some(msg("pendingOne")),
        Some(n) if n > 1 => Some(msg_with("pendingMany", vec![number(n as u64)])),
        _ => None,
    }
}

/// Top Up on the Extra Credits card: for owners a pack chooser (the core's packs) and a
/// confirm button (`page:top-up {pack}`); members read who can.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopUp {
    /// Empty for members.
    pub packs: Vec<Pack>,
    pub owner_only: bool,
    /// The backend cannot be reached: the chooser is shown, its button disabled.
    pub disabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pack {
    pub credits: u64,
    pub label: Msg,
    pub chosen: bool,
    /// The confirmation: what Extra Credits and the credits available now become.
    pub after: Option<Msg>,
}

/// Nothing while `me` is unknown. `choice` keeps the pack chosen before a redraw.
pub fn top_up(me: Option<&Me>, packs: &[u64], choice: Option<u64>, p: Option<&Projection>, disabled: bool) -> Option<TopUp> {
    let me = me?;
    if me.role != Role::Owner {
        return Some(TopUp { packs: Vec::new(), owner_only: true, disabled });
    }
    let chosen = choice.filter(|c| packs.contains(c)).or(packs.first().copied());
    let after = |n: u64| p.map(|p| msg_with("topUpAfter", vec![Sub::Msg(credits(n)), number(p.extra + n), number(p.spendable + n)]));
    let packs = packs.iter().map(|&n| Pack { credits: n, label: credits(n), chosen: Some(n) == chosen, after: after(n) }).collect();
    Some(TopUp { packs, owner_only: false, disabled })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;

    pub fn projection() -> Projection {
        Projection {
            remaining: 200,
            extra: 1000,
            spendable: 1200,
            used: 50,
            total: 250,
            resets_at: Some("2026-12-20T09:00:00Z".parse().unwrap()),
            low: false,
            pending: 2,
            member_left: None,
            as_of: "2026-11-24T09:00:00Z".parse().unwrap(),
        }
    }

    fn me(role: Role) -> Me {
        Me { member_id: "m".into(), name: "Ana".into(), role, team_id: "t".into(), team_name: "T".into() }
    }

    #[test]
    fn card_values_and_corner() {
        let t = Catalog::en();
        let p = projection();
        assert_eq!(values(Some(&p)), Some(Cards { remaining: 200, used: 50, total: 250, extra: 1000 }));
        assert_eq!(values(None), None);
        assert_eq!(t.say_opt(resets(Some(&p), Some(Plan::Pro)).as_ref()), "Resets Dec 20");
        assert_eq!(t.say_opt(resets(Some(&p), Some(Plan::Trial)).as_ref()), "Resets daily");
        assert_eq!(
            t.say_opt(resets(Some(&Projection { resets_at: None, ..p.clone() }), Some(Plan::Trial)).as_ref()),
            "Trial over: no reset until a paid plan is set"
        );
        assert_eq!(resets(None, None), None);
        assert_eq!(t.say_opt(note(Some(&p)).as_ref()), "Includes 2 actions waiting to sync.");
        assert_eq!(t.say_opt(note(Some(&Projection { pending: 1, ..p.clone() })).as_ref()), "Includes 1 action waiting to sync.");
        assert_eq!(t.say_opt(available(Some(&p)).as_ref()), "Available now: 1,200 credits (200 monthly left + 1,000 Extra)");
        assert_eq!(t.say_opt(plan_line(Some(&p), Some(Plan::Pro), Some(3)).as_ref()), "Pro · 3 seats · 250 credits a month");
        assert_eq!(t.say_opt(plan_line(Some(&p), Some(Plan::Lite), Some(1)).as_ref()), "Lite · 1 seat · 250 credits a month");
        assert_eq!(plan_line(Some(&p), None, Some(1)), None);
        assert_eq!(note(Some(&Projection { pending: 0, ..p })), None);
    }

    #[test]
    fn top_up_is_for_owners() {
        let t = Catalog::en();
        let packs = [100, 500, 1000];
        let p = projection();
        let owner = top_up(Some(&me(Role::Owner)), &packs, Some(500), Some(&p), false).unwrap();
        assert_eq!(t.say_opt(owner.packs[1].after.as_ref()), "Add 500 credits: Extra Credits become 1,500 and 1,700 credits are available now.");
        assert!(top_up(Some(&me(Role::Owner)), &packs, None, None, true).unwrap().disabled);
        assert_eq!(owner.packs.iter().map(|p| t.say(&p.label)).collect::<Vec<_>>(), ["100 credits", "500 credits", "1,000 credits"]);
        assert_eq!(owner.packs.iter().filter(|p| p.chosen).map(|p| p.credits).collect::<Vec<_>>(), [500]);
        assert!(!owner.owner_only);
        assert!(top_up(Some(&me(Role::Owner)), &packs, Some(7), None, false).unwrap().packs[0].chosen, "an unknown choice: the first pack");
        let member = top_up(Some(&me(Role::Member)), &packs, None, None, false).unwrap();
        assert!(member.owner_only && member.packs.is_empty());
        assert_eq!(top_up(None, &packs, None, None, false), None);
    }
}
