//! The balance badge on Upwork pages and on the toolbar icon. Numbers, codes and instants
//! only: the content script puts them into words from `_locales` and dates.

use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::settings::Settings;
use crate::action::PriceTable;
use crate::cycle::Timestamp;
use crate::plan::Plan;

/// The badge's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Green,
    Amber,
    Red,
    /// No balance known yet (not configured, or never reached the backend).
    Unknown,
}

/// Everything a badge shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeView {
    /// A backend is set up.
    pub configured: bool,
    /// Spendable credits; none when not known (not set up, or never synced).
    pub spendable: Option<u64>,
    /// The toolbar icon's badge text (at most 4 characters, empty when unknown).
    pub toolbar: String,
    pub tone: Tone,
    /// The monthly/extra split, shown on hover or focus and read by screen readers.
    pub remaining: u64,
    pub extra: u64,
    pub visible: bool,
    pub pending: usize,
    pub rejected_unseen: u32,
    /// What refills the credits, shown in the detail with `reset_at` ("Resets Dec 2");
    /// none while no balance is known.
    pub reset: Option<Reset>,
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub reset_at: Option<Timestamp>,
}

/// What `reset_at` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reset {
    /// The paid cycle's end: the monthly allowance refills then.
    Cycle,
    /// The trial's next daily refill.
    Daily,
    /// The trial ended then; nothing refills until a paid plan is set.
    TrialOver,
}

/// The toolbar's short form of a number: up to 9999 as is, then "12k".
pub fn toolbar_text(n: u64) -> String {
    if n <= 9_999 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{}k", n / 1000)
    } else {
        format!("{}m", n / 1_000_000)
    }
}

impl BadgeView {
    pub fn new(outbox: &Outbox, settings: &Settings, prices: &PriceTable, low_percent: u8) -> BadgeView {
        let unknown = BadgeView {
            configured: settings.backend.is_some(),
            spendable: None,
            toolbar: String::new(),
            tone: Tone::Unknown,
            remaining: 0,
            extra: 0,
            visible: settings.show_badge,
            pending: outbox.pending.len(),
            rejected_unseen: outbox.rejected_unseen,
            reset: None,
            reset_at: None,
        };
        let Some(p) = outbox.projection(prices, low_percent).filter(|_| unknown.configured) else { return unknown };
        // What this member can spend: the pool, capped by its budget.
        let spendable = p.member_spendable();
        let tone = if spendable == 0 {
            Tone::Red
        } else if settings.low_threshold.map_or(p.low, |t| spendable <= t) {
            Tone::Amber
        } else {
            Tone::Green
        };
        // The balance is known here (the projection is made from it). Once a trial is over,
        // the backend's `cycle_start` is the trial's end.
        let trial = outbox.balance.as_ref().is_some_and(|k| k.balance.plan == Plan::Trial);
        let (reset, reset_at) = match p.resets_at {
            Some(at) => (if trial { Reset::Daily } else { Reset::Cycle }, Some(at)),
            None => (Reset::TrialOver, outbox.balance.as_ref().map(|k| k.balance.cycle_start)),
        };
        BadgeView {
            spendable: Some(spendable),
            toolbar: toolbar_text(spendable),
            tone,
            remaining: p.remaining,
            extra: p.extra,
            reset: Some(reset),
            reset_at,
            ..unknown
        }
    }
}
