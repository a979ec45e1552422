//! The extension's client logic, pure: settings, the durable outbox, the worker's step
//! machine, the directives drawn on recognized controls, the badge and the popup's
//! figures' rules. The extension crate holds these in `chrome.storage` and does the I/O;
//! every decision is made here.

mod badge;
mod directive;
mod outbox;
mod settings;
mod view;

pub use badge::{BadgeView, Tone, toolbar_text};
pub use directive::{Directive, RegenerateWarning, directive};
pub use outbox::{KnownBalance, Outbox, Projection, RejectedEvent, SyncError, SyncErrorKind, backoff, credits_for_job};
pub use settings::{Backend, Settings};
pub use view::{Described, Problem, View};

#[cfg(test)]
mod tests;
