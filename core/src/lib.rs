//! Upwex Credits core: the credit rules, pure.
//!
//! No I/O, no clock reads, no randomness of its own: time, ids and random numbers are
//! parameters. Built natively for the backend and to WebAssembly for the extension.

pub mod action;
pub mod cycle;
pub mod plan;

pub use action::{Action, PriceTable};
pub use cycle::{Cycle, Timestamp};
pub use plan::{CreditConfig, Plan};
