//! The notice at the top of the popup: what the state means for the user and what to do
//! (open the options, retry), and the events the backend rejected that the user has not
//! dismissed yet.

use credits_core::client::{RejectedEvent, SyncError, SyncErrorKind};
use serde::Serialize;

use super::history::reason;
use super::state::State;
use super::text::{Msg, Sub, msg, msg_with, number, text};

/// The state's notice (`<template id="notice">`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notice {
    /// `info`, `warn` or `error` (the border's colour).
    pub tone: &'static str,
    /// An alert (announced at once) rather than a status.
    pub alert: bool,
    pub text: Msg,
    /// What the notice offers: the options page link, or Retry (`page:credits` with everything fetched).
    pub options: bool,
    pub retry: bool,
}

/// The state's notice (none when all is well).
pub fn state(state: State, problem: Option<&SyncError>, spendable: Option<u64>) -> Option<Notice> {
    let (tone, alert, text) = match state {
        State::NotConfigured => ("info", false, msg("notConfigured")),
        State::SignedOut => ("error", true, msg("signedOut")),
        State::Unreachable => match problem {
            Some(e) if e.kind == SyncErrorKind::Backend => ("error", true, msg_with("backendError", vec![Sub::Text(e.message.clone())])),
            _ => ("error", true, msg("unreachable")),
        },
        State::Empty => ("error", false, msg("empty")),
        State::Low => ("warn", false, msg_with("low", vec![number(spendable.unwrap_or(0))])),
        State::Trial | State::Ok => return None,
    };
    let options = matches!(state, State::NotConfigured | State::SignedOut);
    Some(Notice { tone, alert, text, options, retry: state == State::Unreachable })
}

/// Rejected events not yet dismissed (`<template id="rejected">`): which, when, why (in
/// words, with the code), and Dismiss (`page:rejections-seen`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rejected {
    pub text: Msg,
    pub items: Vec<Msg>,
}

pub fn rejected(rejected: &[RejectedEvent], unseen: u32) -> Option<Rejected> {
    if unseen == 0 || rejected.is_empty() {
        return None;
    }
    let heading = if unseen == 1 { msg("rejectedOne") } else { msg_with("rejectedMany", vec![number(u64::from(unseen))]) };
    let items = rejected
        .iter()
        .rev()
        .take(unseen as usize)
        .map(|r| {
            let why = Sub::Msg(reason(r.reason));
            msg_with("rejectedItem", vec![Sub::Msg(super::text::action(r.event.action)), Sub::Time(r.event.occurred_at), why, text(r.reason.code())])
        })
        .collect();
    Some(Rejected { text: heading, items })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;
    use credits_core::Action;
    use credits_core::api::{Reason, UsageEvent};

    #[test]
    fn each_state_says_what_to_do() {
        let t = Catalog::en();
        let say = |n: Option<Notice>| t.say(&n.unwrap().text);
        let not_configured = state(State::NotConfigured, None, None).unwrap();
        assert!(not_configured.options && !not_configured.retry);
        assert!(say(state(State::SignedOut, None, None)).contains("refused"));
        let down = state(State::Unreachable, None, None).unwrap();
        assert!(down.retry && down.alert);
        let err = SyncError { kind: SyncErrorKind::Backend, message: "the backend answered 500 (x)".into(), at: Default::default() };
        assert!(say(state(State::Unreachable, Some(&err), None)).contains("answered 500"));
        assert!(say(state(State::Low, None, Some(7))).contains("7 left"));
        assert!(state(State::Ok, None, None).is_none() && state(State::Trial, None, None).is_none());
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
        let view = rejected(&r, 1).unwrap();
        assert_eq!(t.say(&view.text), "1 AI action was not counted by the backend:");
        assert_eq!(view.items.iter().map(|m| t.say(m)).collect::<Vec<_>>(), ["Answer, Nov 24, 10:32: no credits were left (insufficient_credits)"]);
        assert!(rejected(&r, 0).is_none());
    }
}
