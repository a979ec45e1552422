//! Team Members: credits used per member this cycle, largest first. This browser's events
//! still waiting to sync are added to its member (as the Credits Used card adds them), so
//! the figures agree with each other before the sync and equal the backend's after it.

use credits_core::api::{Me, MemberRow, Role};
use credits_core::budget::MAX_BUDGET;

use serde::Serialize;

use super::text::{Msg, Sub, credits, msg, msg_with, number, text};

/// Each member with its use (this browser's pending clicks added), largest first, then by
/// name. An insertion sort: a few members, nearly in order already (the backend sends them
/// largest first), and no `sort_by` code in the module.
pub fn sorted<'a>(members: &'a [MemberRow], me: Option<&Me>, pending: u64) -> Vec<(&'a MemberRow, u64)> {
    let mut out: Vec<_> = members
        .iter()
        .map(|m| {
            let mine = me.is_some_and(|me| me.member_id == m.member_id);
            (m, m.used + if mine { pending } else { 0 })
        })
        .collect();
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && (out[j].1 > out[j - 1].1 || (out[j].1 == out[j - 1].1 && out[j].0.name < out[j - 1].0.name)) {
            out.swap(j, j - 1);
            j -= 1;
        }
    }
    out
}

/// One member as the page draws it (`<template id="t-member">`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub used: u64,
    /// "12 of 40 credits" where the owner set the member a budget.
    pub budget: Option<Msg>,
    /// The budget alone: "40 credits", or "No budget".
    pub limit: Msg,
    /// "28 credits" left of that budget.
    pub left: Option<Msg>,
    /// The day of the member's latest action, or "Never".
    pub last_active: Msg,
    /// The budget editor, for owners only.
    pub edit: Option<BudgetEdit>,
    /// The member this browser's token belongs to ("you").
    pub you: bool,
}

/// An owner's inline form for one member's monthly budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetEdit {
    /// The number input's label: "Monthly budget for Ana (credits)".
    pub label: Msg,
    /// The budget now, none when unset.
    pub credits: Option<u64>,
}

pub fn list(sorted: &[(&MemberRow, u64)], me: Option<&Me>) -> Vec<Member> {
    let owner = me.is_some_and(|me| me.role == Role::Owner);
    sorted
        .iter()
        .map(|&(m, used)| Member {
            id: m.member_id.clone(),
            name: m.name.clone(),
            used,
            budget: m.budget.map(|b| msg_with("memberOfBudget", vec![number(used), Sub::Msg(credits(b))])),
            limit: m.budget.map_or_else(|| msg("memberNoBudget"), credits),
            left: m.budget.map(|b| credits(b.saturating_sub(used))),
            last_active: m.last_active_at.map_or_else(|| msg("memberNeverActive"), |t| msg_with("memberLastActive", vec![Sub::Date(t)])),
            edit: owner.then(|| BudgetEdit { label: msg_with("budgetEditLabel", vec![text(&m.name)]), credits: m.budget }),
            you: me.is_some_and(|me| me.member_id == m.member_id),
        })
        .collect()
}

/// What an owner typed as a budget: a whole number of credits, 0 or more (the core's upper
/// bound checked too); anything else is refused in words before any request.
pub fn budget_input(typed: &str) -> Result<u64, Msg> {
    typed.trim().parse::<u64>().ok().filter(|&n| n <= MAX_BUDGET).ok_or_else(|| msg_with("budgetInvalid", vec![number(MAX_BUDGET)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, name: &str, used: u64) -> MemberRow {
        MemberRow { member_id: id.into(), name: name.into(), role: Role::Member, used, budget: None, left: None, last_active_at: None }
    }

    fn me(role: Role) -> Me {
        Me { member_id: "a".into(), name: "Ana".into(), role, team_id: "t".into(), team_name: "T".into() }
    }

    #[test]
    fn largest_first_with_my_pending_clicks() {
        let members = [m("a", "Ana", 3), m("b", "Bo", 5), m("c", "Cy", 5), m("d", "Di", 0)];
        let me = me(Role::Owner);
        let order = |s: &[(&MemberRow, u64)]| s.iter().map(|(m, used)| (m.name.clone(), *used)).collect::<Vec<_>>();
        assert_eq!(order(&sorted(&members, None, 9)), [("Bo".into(), 5), ("Cy".into(), 5), ("Ana".into(), 3), ("Di".into(), 0)]);
        let with_pending = sorted(&members, Some(&me), 4);
        assert_eq!(order(&with_pending)[0], ("Ana".into(), 7));
        let view = list(&with_pending, Some(&me));
        assert_eq!(
            view.iter().map(|m| (m.name.as_str(), m.used, m.you)).collect::<Vec<_>>(),
            [("Ana", 7, true), ("Bo", 5, false), ("Cy", 5, false), ("Di", 0, false)]
        );
        assert!(view.iter().all(|m| m.budget.is_none() && m.left.is_none()));
    }

    #[test]
    fn used_and_left_against_a_budget_where_one_is_set() {
        let t = crate::popup::text::tests::Catalog::en();
        let members = [
            MemberRow { budget: Some(40), left: Some(28), ..m("a", "Ana", 12) },
            m("b", "Bo", 5),
            MemberRow { budget: Some(1), left: Some(1), ..m("c", "Cy", 0) },
            MemberRow { budget: Some(2), left: Some(0), ..m("d", "Di", 3) },
        ];
        let view = list(&sorted(&members, None, 0), None);
        let words = |f: fn(&Member) -> Option<&Msg>| view.iter().map(|m| t.say_opt(f(m))).collect::<Vec<_>>();
        assert_eq!(words(|m| m.budget.as_ref()), ["12 of 40 credits", "", "3 of 2 credits", "0 of 1 credit"]);
        assert_eq!(words(|m| m.left.as_ref()), ["28 credits", "", "0 credits", "1 credit"], "never below 0");
        assert_eq!(words(|m| Some(&m.limit)), ["40 credits", "No budget", "2 credits", "1 credit"]);
    }

    #[test]
    fn last_active_is_a_day_or_never() {
        let t = crate::popup::text::tests::Catalog::en();
        let members = [MemberRow { last_active_at: Some("2026-11-28T16:05:00Z".parse().unwrap()), ..m("a", "Ana", 2) }, m("b", "Bo", 0)];
        let view = list(&sorted(&members, None, 0), None);
        assert_eq!(view.iter().map(|m| t.say(&m.last_active)).collect::<Vec<_>>(), ["Nov 28", "Never"]);
    }

    #[test]
    fn only_owners_get_the_budget_editor() {
        let t = crate::popup::text::tests::Catalog::en();
        let members = [MemberRow { budget: Some(40), left: Some(40), ..m("b", "Bo", 0) }, m("a", "Ana", 0)];
        let sorted = sorted(&members, None, 0);
        let owner = list(&sorted, Some(&me(Role::Owner)));
        let edits: Vec<_> = owner.iter().map(|m| m.edit.as_ref().map(|e| (t.say(&e.label), e.credits))).collect();
        assert_eq!(edits, [Some(("Monthly budget for Ana (credits)".into(), None)), Some(("Monthly budget for Bo (credits)".into(), Some(40)))]);
        assert!(list(&sorted, Some(&me(Role::Member))).iter().all(|m| m.edit.is_none()), "members see no editor");
        assert!(list(&sorted, None).iter().all(|m| m.edit.is_none()));
    }

    #[test]
    fn a_budget_is_a_whole_number_of_credits() {
        assert_eq!(budget_input("40"), Ok(40));
        assert_eq!(budget_input(" 0 "), Ok(0));
        assert_eq!(budget_input("1000000000"), Ok(MAX_BUDGET));
        let t = crate::popup::text::tests::Catalog::en();
        for bad in ["", "-5", "1.5", "abc", "1e3", "1000000001", "99999999999999999999"] {
            let refused = budget_input(bad).unwrap_err();
            assert_eq!(t.say(&refused), "A budget is a whole number of credits from 0 to 1,000,000,000. Nothing was changed.", "{bad:?}");
        }
    }
}
