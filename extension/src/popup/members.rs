//! Team Members: credits used per member this cycle, largest first. This browser's events
//! still waiting to sync are added to its member (as the Credits Used card adds them), so
//! the figures agree with each other before the sync and equal the backend's after it.

use credits_core::api::{Me, MemberUsage};

use serde::Serialize;

/// `(member id, name, used)`, largest first, then by name. An insertion sort: a few
/// members, nearly in order already (the backend sends them largest first), and no `sort_by`
/// code in the module.
pub fn sorted<'a>(members: &'a [MemberUsage], me: Option<&Me>, pending: u64) -> Vec<(&'a str, &'a str, u64)> {
    let mut out: Vec<_> = members
        .iter()
        .map(|m| {
            let mine = me.is_some_and(|me| me.member_id == m.member_id);
            (m.member_id.as_str(), m.name.as_str(), m.used + if mine { pending } else { 0 })
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub used: u64,
    /// The member this browser's token belongs to ("you").
    pub you: bool,
}

pub fn list(sorted: &[(&str, &str, u64)], me: Option<&Me>) -> Vec<Member> {
    sorted
        .iter()
        .map(|(id, name, used)| Member { id: (*id).to_owned(), name: (*name).to_owned(), used: *used, you: me.is_some_and(|me| me.member_id == *id) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use credits_core::api::Role;

    fn m(id: &str, name: &str, used: u64) -> MemberUsage {
        MemberUsage { member_id: id.into(), name: name.into(), role: Role::Member, used }
    }

    #[test]
    fn largest_first_with_my_pending_clicks() {
        let members = [m("a", "Ana", 3), m("b", "Bo", 5), m("c", "Cy", 5), m("d", "Di", 0)];
        let me = Me { member_id: "a".into(), name: "Ana".into(), role: Role::Owner, team_id: "t".into(), team_name: "T".into() };
        assert_eq!(sorted(&members, None, 9), [("b", "Bo", 5), ("c", "Cy", 5), ("a", "Ana", 3), ("d", "Di", 0)]);
        let with_pending = sorted(&members, Some(&me), 4);
        assert_eq!(with_pending[0], ("a", "Ana", 7));
        let view = list(&with_pending, Some(&me));
        assert_eq!(
            view.iter().map(|m| (m.name.as_str(), m.used, m.you)).collect::<Vec<_>>(),
            [("Ana", 7, true), ("Bo", 5, false), ("Cy", 5, false), ("Di", 0, false)]
        );
    }
}
