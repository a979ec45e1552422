//! Upwex Credits core: the credit rules, pure.
//!
//! No I/O, no clock reads, no randomness of its own: time, ids and random numbers are
//! parameters. Built natively for the backend and to WebAssembly for the extension.

pub mod action;
pub mod alerts;
pub mod api;
/// Only the backend keeps an audit trail (its entries carry JSON states).
#[cfg(feature = "json")]
pub mod audit;
pub mod batch;
pub mod budget;
pub mod client;
pub mod cycle;
pub mod insights;
pub mod job_id;
pub mod ledger;
pub mod plan;
pub mod recognition;
pub mod refusal;
pub mod rfc3339;
pub mod topup;
pub mod usage_csv;

pub use action::{Action, PriceTable};
pub use cycle::{Cycle, Timestamp};
pub use ledger::Ledger;
pub use plan::{CreditConfig, Plan};
pub use refusal::{ErrorCode, Refusal};
