//! Team Members: credits used per member this cycle, largest first. This browser's events
//! still waiting to sync are added to its member (as the Credits Used card adds them), so
//! the figures agree with each other before the sync and equal the backend's after it.

use credits_core::api::{Me, MemberRow};

use serde::Serialize;

use super::text::{Msg, Sub, credits, msg_with, number};

/// `(member id, name, used, budget)`, largest first, then by name. An insertion sort: a few
/// members, nearly in order already (the backend sends them largest first), and no `sort_by`
/// code in the module.
pub fn sorted<'a>(members: &'a [MemberRow], me: Option<&Me>, pending: u64) -> Vec<(&'a str, &'a str, u64, Option<u64>)> {
    let mut out: Vec<_> = members
        .iter()
        .map(|m| {
            let mine = me.is_some_and(|me| me.member_id == m.member_id);
            (m.member_id.as_str(), m.name.as_str(), m.used + if mine { pending } else { 0 }, m.budget)
        })
        .collect();
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && (out[j].2 > out[j - 1].2 || (out[j].2 == out[j - 1].2 && out[j].1 < out[j - 1].1)) {
            out.swap(j, j - 1);
            j -= 1;
        }
    }
    out
}

/// One member as the page draws it (`<template id="member">`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub used: u64,
    /// "12 of 40 credits" where the owner set the member a budget.
    pub budget: Option<Msg>,
    /// The member this browser's token belongs to ("you").
    pub you: bool,
}

pub fn list(sorted: &[(&str, &str, u64, Option<u64>)], me: Option<&Me>) -> Vec<Member> {
    sorted
        .iter()
        .map(|(id, name, used, budget)| Member {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            used: *used,
            budget: budget.map(|b| msg_with("memberOfBudget", vec![number(*used), Sub::Msg(credits(b))])),
            you: me.is_some_and(|me| me.member_id == *id),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use credits_core::api::Role;

    fn m(id: &str, name: &str, used: u64) -> MemberRow {
        MemberRow { member_id: id.into(), name: name.into(), role: Role::Member, used, budget: None, left: None }
    }

    #[test]
    fn largest_first_with_my_pending_clicks() {
        let members = [m("a", "Ana", 3), m("b", "Bo", 5), m("c", "Cy", 5), m("d", "Di", 0)];
        let me = Me { member_id: "a".into(), name: "Ana".into(), role: Role::Owner, team_id: "t".into(), team_name: "T".into() };
        assert_eq!(sorted(&members, None, 9), [("b", "Bo", 5, None), ("c", "Cy", 5, None), ("a", "Ana", 3, None), ("d", "Di", 0, None)]);
        let with_pending = sorted(&members, Some(&me), 4);
        assert_eq!(with_pending[0], ("a", "Ana", 7, None));
        let view = list(&with_pending, Some(&me));
        assert_eq!(
            view.iter().map(|m| (m.name.as_str(), m.used, m.you)).collect::<Vec<_>>(),
            [("Ana", 7, true), ("Bo", 5, false), ("Cy", 5, false), ("Di", 0, false)]
        );
        assert!(view.iter().all(|m| m.budget.is_none()));
    }

    #[test]
    fn used_against_a_budget_where_one_is_set() {
        let t = crate::popup::text::tests::Catalog::en();
        let members = [
            MemberRow { budget: Some(40), left: Some(28), ..m("a", "Ana", 12) },
            m("b", "Bo", 5),
            MemberRow { budget: Some(1), left: Some(1), ..m("c", "Cy", 0) },
        ];
        let view = list(&sorted(&members, None, 0), None);
        assert_eq!(view.iter().map(|m| t.say_opt(m.budget.as_ref())).collect::<Vec<_>>(), ["12 of 40 credits", "", "0 of 1 credit"]);
    }
}
