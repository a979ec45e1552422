//! The notice at the top of the popup: what the state means for the user and what to do
//! (open the options, retry), and the events the backend rejected that the user has not
//! dismissed yet.

use credits_core::client::{RejectedEvent, SyncError, SyncErrorKind};

use super::history::reason_key;
use super::node::Tokens;
use super::state::State;
use super::text::Text;

/// The options page, next to the popup (`extension/options.html`).
pub const OPTIONS: &str = "options.html";

fn options_link(v: &mut Tokens, t: &dyn Text) {
    v.open("a").class("options").attr("href", OPTIONS).attr("target", "_blank").attr("rel", "noopener").text(&t.msg("openOptions", &[])).close();
}

/// The state's notice (none when all is well).
pub fn state(v: &mut Tokens, state: State, problem: Option<&SyncError>, spendable: Option<u64>, t: &dyn Text) {
    let (tone, role, sentence) = match state {
        State::NotConfigured => ("notice info", "status", t.msg("notConfigured", &[])),
        State::SignedOut => ("notice error", "alert", t.msg("signedOut", &[])),
        State::Unreachable => match problem {
            Some(e) if e.kind == SyncErrorKind::Backend => ("notice error", "alert", t.msg("backendError", &[&e.message])),
            _ => ("notice error", "alert", t.msg("unreachable", &[])),
        },
        State::Empty => ("notice error", "status", t.msg("empty", &[])),
        State::Low => ("notice warn", "status", t.msg("low", &[&spendable.unwrap_or(0).to_string()])),
        State::Trial | State::Ok => return,
    };
    v.open("div").class(tone).attr("role", role).open("p").text(&sentence).close();
    match state {
        State::NotConfigured | State::SignedOut => options_link(v, t),
        State::Unreachable => {
            v.button("credits", Some("all"), &t.msg("retry", &[]));
        }
        _ => {}
    }
    v.close();
}

/// Rejected events not yet dismissed: which, when, why (in words, with the code), and
/// Dismiss (`page:rejections-seen`).
pub fn rejected(v: &mut Tokens, rejected: &[RejectedEvent], unseen: u32, t: &dyn Text) {
    if unseen == 0 || rejected.is_empty() {
        return;
    }
    let key = if unseen == 1 { "rejectedOne" } else { "rejectedMany" };
    v.open("div").class("notice warn").attr("role", "alert").open("p").text(&t.msg(key, &[&unseen.to_string()])).close();
    v.open("ul").attr("id", "rejected");
    for r in rejected.iter().rev().take(unseen as usize) {
        let why = t.msg(reason_key(r.reason), &[]);
        v.open("li").text(&t.msg("rejectedItem", &[r.event.action.label(), &t.date_time(r.event.occurred_at), &why, r.reason.code()])).close();
    }
    v.close().button("rejections-seen", None, &t.msg("dismiss", &[])).close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::node::{Node, find, nodes};
    use crate::popup::text::tests::Catalog;
    use credits_core::Action;

    fn notice(s: State, problem: Option<&SyncError>, spendable: Option<u64>) -> Vec<Node> {
        let mut v = Tokens::default();
        state(&mut v, s, problem, spendable, &Catalog::en());
        nodes(&v)
    }
    use credits_core::api::{Reason, UsageEvent};

    #[test]
    fn each_state_says_what_to_do() {
        let not_configured = notice(State::NotConfigured, None, None);
        assert_eq!(find::by_tag(&not_configured, "a")[0].attr("href"), Some("options.html"));
        assert!(find::all_text(&notice(State::SignedOut, None, None)).contains("refused"));
        let down = notice(State::Unreachable, None, None);
        assert_eq!(find::by_tag(&down, "button")[0].attr("data-value"), Some("all"));
        let err = SyncError { kind: SyncErrorKind::Backend, message: "the backend answered 500 (x)".into(), at: Default::default() };
        assert!(find::all_text(&notice(State::Unreachable, Some(&err), None)).contains("answered 500"));
        assert!(find::all_text(&notice(State::Low, None, Some(7))).contains("7 left"));
        assert!(notice(State::Ok, None, None).is_empty() && notice(State::Trial, None, None).is_empty());
    }

    #[test]
    fn rejected_events_until_dismissed() {
        let t = Catalog::en();
        let event = UsageEvent {
            id: uuid::Uuid::from_u128(1),
            action: Action::Answer,
            regenerate: false,
            job_id: None,
            occurred_at: "2026-11-24T10:32:00Z".parse().unwrap(),
        };
        let r = [RejectedEvent { event, reason: Reason::InsufficientCredits, answered_at: Default::default() }];
        let mut v = Tokens::default();
        rejected(&mut v, &r, 1, &t);
        let view = nodes(&v);
        assert_eq!(find::texts(&find::by_tag(&view, "li")), ["Answer, Nov 24, 10:32: no credits were left (insufficient_credits)"]);
        assert_eq!(find::by_tag(&view, "ul")[0].attr("id"), Some("rejected"));
        let mut v = Tokens::default();
        rejected(&mut v, &r, 0, &t);
        assert!(v.is_empty());
    }
}
