//! The four stat cards (seed 001's order: Credits Remaining, Credits Used, Total Credits,
//! Extra Credits), "Resets DATE" in the corner, and Top Up on the Extra Credits card for
//! owners. The cards' headings and `<output>`s are static in popup.html; these are their
//! contents. The figures are the core's `Outbox::projection`: the backend's last balance
//! less the events still waiting to sync.

use credits_core::Plan;
use credits_core::api::{Me, Role};
use credits_core::client::Projection;

use super::node::Tokens;
use super::text::{Text, credits};

/// The card values: remaining, used, total, extra ("–" while no balance is known).
pub fn values(p: Option<&Projection>, t: &dyn Text) -> [String; 4] {
    match p {
        Some(p) => [p.remaining, p.used, p.total, p.extra].map(|n| t.number(n)),
        None => ["–", "–", "–", "–"].map(str::to_owned),
    }
}

/// The corner: "Resets Nov 28", "Resets daily" on the trial, or no reset (a trial that is over).
pub fn resets(p: Option<&Projection>, plan: Option<Plan>, t: &dyn Text) -> String {
    match (p, p.and_then(|p| p.resets_at)) {
        (None, _) => String::new(),
        (Some(_), Some(_)) if plan == Some(Plan::Trial) => t.msg("resetsDaily", &[]),
        (Some(_), Some(at)) => t.msg("resetsOn", &[&t.date(at)]),
        (Some(_), None) => t.msg("resetsNever", &[]),
    }
}

/// Under the cards: how many of this browser's clicks the figures already count but the
/// backend has not heard of yet.
pub fn note(v: &mut Tokens, p: Option<&Projection>, t: &dyn Text) {
    match p.map(|p| p.pending) {
        Some(1) => v.text(&t.msg("pendingOne", &[])),
        Some(n) if n > 1 => v.text(&t.msg("pendingMany", &[&n.to_string()])),
        _ => v,
    };
}

/// Top Up on the Extra Credits card: for owners a pack chooser (the core's packs) and a
/// confirm button (`page:top-up {credits}`); for members who can; nothing while `me` is
/// unknown. `choice` keeps the pack chosen before a redraw.
pub fn top_up(v: &mut Tokens, me: Option<&Me>, packs: &[u64], choice: Option<u64>, t: &dyn Text) {
    let Some(me) = me else { return };
    if me.role != Role::Owner {
        v.leaf("p", "owner-only", &t.msg("topUpOwnerOnly", &[]));
        return;
    }
    let chosen = choice.filter(|c| packs.contains(c)).or(packs.first().copied());
    v.open("details").class("top-up").attr("data-id", "top-up").open("summary").text(&t.msg("topUp", &[])).close();
    v.open("fieldset").open("legend").text(&t.msg("topUpChoose", &[])).close();
    for &n in packs {
        v.open("label")
            .class("pack")
            .open("input")
            .attr("type", "radio")
            .attr("name", "pack")
            .attr("data-field", "credits")
            .attr("value", &n.to_string());
        if Some(n) == chosen {
            v.attr("checked", "");
        }
        v.close().text(&credits(t, n)).close();
    }
    v.button("top-up", None, &t.msg("topUpConfirm", &[])).leaf("p", "muted", &t.msg("topUpPaid", &[]));
    v.close().close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::node::{find, nodes};
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
        assert_eq!(values(Some(&p), &t), ["200", "50", "250", "1,000"]);
        assert_eq!(values(None, &t), ["–", "–", "–", "–"]);
        assert_eq!(resets(Some(&p), Some(Plan::Pro), &t), "Resets Dec 20");
        assert_eq!(resets(Some(&p), Some(Plan::Trial), &t), "Resets daily");
        assert_eq!(
            resets(Some(&Projection { resets_at: None, ..p.clone() }), Some(Plan::Trial), &t),
            "Trial over: no reset until a paid plan is set"
        );
        assert_eq!(resets(None, None, &t), "");
        let mut v = Tokens::default();
        note(&mut v, Some(&p), &t);
        assert_eq!(find::all_text(&nodes(&v)), "Includes 2 actions waiting to sync.");
        let mut v = Tokens::default();
        note(&mut v, Some(&Projection { pending: 0, ..p }), &t);
        assert!(v.is_empty());
    }

    #[test]
    fn top_up_is_for_owners() {
        let t = Catalog::en();
        let packs = [100, 500, 1000];
        let view = |me: Option<&Me>, choice| {
            let mut v = Tokens::default();
            top_up(&mut v, me, &packs, choice, &t);
            nodes(&v)
        };
        let owner = view(Some(&me(Role::Owner)), Some(500));
        assert_eq!(find::texts(&find::by_class(&owner, "pack")), ["100 credits", "500 credits", "1,000 credits"]);
        let checked: Vec<_> =
            find::by_tag(&owner, "input").into_iter().filter(|i| i.attr("checked").is_some()).map(|i| i.attr("value").unwrap()).collect();
        assert_eq!(checked, ["500"]);
        assert_eq!(find::by_tag(&owner, "button")[0].attr("data-action"), Some("top-up"));
        let member = view(Some(&me(Role::Member)), None);
        assert!(find::by_tag(&member, "button").is_empty());
        assert_eq!(find::all_text(&member), "Only the team owner can top up.");
        assert!(view(None, None).is_empty());
    }
}
