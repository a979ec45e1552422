//! Which state the popup is in: the first that holds of not configured, signed out (the
//! token was refused), unreachable (last known figures shown with their age), empty (red),
//! low (amber), trial with a daily reset, ok.

use credits_core::Timestamp;
use credits_core::client::{SyncError, SyncErrorKind, Tone};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    NotConfigured,
    SignedOut,
    Unreachable,
    Empty,
    Low,
    Trial,
    Ok,
}

impl State {
    /// The popup root's `data-state` (the CSS and the tests read it).
    pub fn code(self) -> &'static str {
        match self {
            State::NotConfigured => "not-configured",
            State::SignedOut => "signed-out",
            State::Unreachable => "unreachable",
            State::Empty => "empty",
            State::Low => "low",
            State::Trial => "trial",
            State::Ok => "ok",
        }
    }

    /// Whether the figures are (last known) data worth drawing.
    pub fn shows_figures(self) -> bool {
        !matches!(self, State::NotConfigured | State::SignedOut)
    }
}

/// The problem to show: the newer of the sync's last error and the popup's own last fetch
/// error. A sync error older than the popup's last successful fetch is over (the backend
/// answered since), though the outbox keeps it until its next try.
pub fn problem<'a>(sync: Option<&'a SyncError>, fetch: Option<&'a SyncError>, fetched_ok_at: Option<Timestamp>) -> Option<&'a SyncError> {
    let sync = sync.filter(|e| fetched_ok_at.is_none_or(|ok| e.at > ok));
    match (sync, fetch) {
        (Some(s), Some(f)) => Some(if s.at > f.at { s } else { f }),
        (s, f) => s.or(f),
    }
}

/// The popup's state. `tone` is the core's badge tone (it applies the user's low-balance
/// option); `trial` whether the team is on the trial with a daily reset.
pub fn choose(configured: bool, problem: Option<&SyncError>, tone: Tone, trial: bool) -> State {
    if !configured {
        return State::NotConfigured;
    }
    match problem.map(|p| p.kind) {
        Some(SyncErrorKind::Unauthorized) => State::SignedOut,
        Some(_) => State::Unreachable,
        None => match tone {
            Tone::Red => State::Empty,
            Tone::Amber => State::Low,
            _ if trial => State::Trial,
            _ => State::Ok,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: SyncErrorKind, at: &str) -> SyncError {
        SyncError { kind, message: "x".into(), at: at.parse().unwrap() }
    }

    #[test]
    fn states_in_order() {
        let net = err(SyncErrorKind::Network, "2026-11-24T10:00:00Z");
        let auth = err(SyncErrorKind::Unauthorized, "2026-11-24T10:00:00Z");
        assert_eq!(choose(false, Some(&auth), Tone::Red, true), State::NotConfigured);
        assert_eq!(choose(true, Some(&auth), Tone::Red, true), State::SignedOut);
        assert_eq!(choose(true, Some(&net), Tone::Red, true), State::Unreachable);
        assert_eq!(choose(true, None, Tone::Red, true), State::Empty);
        assert_eq!(choose(true, None, Tone::Amber, true), State::Low);
        assert_eq!(choose(true, None, Tone::Green, true), State::Trial);
        assert_eq!(choose(true, None, Tone::Green, false), State::Ok);
        assert_eq!(choose(true, None, Tone::Unknown, false), State::Ok);
        assert!(!State::SignedOut.shows_figures() && State::Unreachable.shows_figures());
    }

    #[test]
    fn the_newer_problem_wins_and_a_later_answer_ends_a_sync_error() {
        let old = err(SyncErrorKind::Network, "2026-11-24T10:00:00Z");
        let new = err(SyncErrorKind::Unauthorized, "2026-11-24T10:05:00Z");
        assert_eq!(problem(Some(&old), Some(&new), None), Some(&new));
        assert_eq!(problem(Some(&new), Some(&old), None), Some(&new));
        let ok_after = Some("2026-11-24T10:01:00Z".parse().unwrap());
        assert_eq!(problem(Some(&old), None, ok_after), None, "the backend answered the popup since");
        assert_eq!(problem(Some(&new), None, ok_after), Some(&new));
        assert_eq!(problem(None, None, None), None);
    }
}
