//! The extension's client logic, pure: settings, the durable outbox and sync state machine,
//! the directives drawn on recognized controls, and the badge. The extension crate holds
//! these in `chrome.storage` and does the I/O; every decision is made here.

mod badge;
mod directive;
mod outbox;
mod settings;

pub use badge::{BadgeView, Tone, toolbar_text};
pub use directive::{Directive, directive};
pub use outbox::{KnownBalance, Outbox, Projection, RejectedEvent, SyncError, SyncErrorKind, backoff, credits_for_job};
pub use settings::{Backend, Settings};

#[cfg(test)]
mod tests;
