//! What the service worker sends the content script: the badge, what needs attention, and
//! the directives. Defined once here; numbers and codes only (the content script words them).

use serde::{Deserialize, Serialize};

use super::badge::BadgeView;
use super::directive::Directive;
use super::outbox::{Outbox, SyncErrorKind};
use crate::api::Reason;

/// What every Upwork tab draws: the badge, a problem to show with it, and the marker
/// that makes an element an Upwex container (from the rules in force).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub badge: BadgeView,
    pub problem: Option<Problem>,
    pub marker: String,
}

/// The answer to `content:describe`: a directive or null per candidate, same order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Described {
    pub directives: Vec<Option<Directive>>,
}

/// What needs the user's attention: rejected events not yet seen, then the last sync error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Rejections the user has not looked at (0: none to show).
    pub rejected_unseen: u32,
    /// The newest rejection's reason.
    pub last_reason: Option<Reason>,
    pub sync_error: Option<SyncErrorKind>,
    /// The backend's own words for a `backend` error (as it sent them).
    pub detail: Option<String>,
    /// Events waiting to sync.
    pub pending: usize,
}

impl Problem {
    /// `None` when nothing needs attention.
    pub fn of(outbox: &Outbox) -> Option<Problem> {
        let error = outbox.last_error.as_ref();
        (outbox.rejected_unseen > 0 || error.is_some()).then(|| Problem {
            rejected_unseen: outbox.rejected_unseen,
            last_reason: outbox.rejected.last().map(|r| r.reason).filter(|_| outbox.rejected_unseen > 0),
            sync_error: error.map(|e| e.kind),
            detail: error.filter(|e| e.kind == SyncErrorKind::Backend).map(|e| e.message.clone()),
            pending: outbox.pending.len(),
        })
    }
}
