//! The extension's client logic, pure: settings, the durable outbox, the worker's step
//! machine, the directives drawn on recognized controls, the badge and the popup's
//! figures' rules. The extension crate holds these in `chrome.storage` and does the I/O;
//! every decision is made here.

mod badge;
mod directive;
mod figures;
mod notify;
mod outbox;
mod settings;
mod view;
mod worker;

pub use badge::{BadgeView, Reset, Tone, toolbar_text};
pub use directive::{Directive, RegenerateWarning, directive};
pub use figures::{TopUpAttempt, figures_stale};
pub use notify::{Notified, holding};
pub use outbox::{JobRerolls, KnownBalance, Outbox, Projection, RejectedEvent, SyncError, SyncErrorKind, backoff, credits_for_job, rerolls_for_job};
pub use settings::{Backend, Settings};
pub use view::{Described, Problem, View};
pub use worker::{Answer, Effect, Event, JOB_RETRY_SECS, RULES_EVERY_SECS, Request, STALE_BALANCE_SECS, Stored, StoredRules, Worker};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod worker_tests;
