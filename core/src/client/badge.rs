//! The balance badge on Upwork pages and on the toolbar icon.

use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::settings::Settings;
use crate::action::PriceTable;

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
    /// Spendable credits as a number, or "–" when unknown.
    pub text: String,
    /// The toolbar icon's badge text (at most 4 characters).
    pub toolbar: String,
    pub tone: Tone,
    pub remaining: u64,
    pub extra: u64,
    /// The monthly/extra split, shown on hover or focus and read by screen readers.
    pub detail: String,
    pub visible: bool,
    pub pending: usize,
    pub rejected_unseen: u32,
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
        let visible = settings.show_badge;
        let base = |text: String, tone, detail: String| BadgeView {
            toolbar: if tone == Tone::Unknown { String::new() } else { text.clone() },
            text,
            tone,
            remaining: 0,
            extra: 0,
            detail,
            visible,
            pending: outbox.pending.len(),
            rejected_unseen: outbox.rejected_unseen,
        };
        if settings.backend.is_none() {
            return base("–".into(), Tone::Unknown, "Upwex Credits is not set up: open the options to connect".into());
        }
        let Some(p) = outbox.projection(prices, low_percent) else {
            return base("–".into(), Tone::Unknown, "Balance not known yet".into());
        };
        let tone = if p.spendable == 0 {
            Tone::Red
        } else if settings.low_threshold.map_or(p.low, |t| p.spendable <= t) {
            Tone::Amber
        } else {
            Tone::Green
        };
        let mut detail = format!("{} credits left: {} monthly, {} extra", p.spendable, p.remaining, p.extra);
        if p.pending > 0 {
            detail.push_str(&format!(" ({} waiting to sync)", p.pending));
        }
        BadgeView { toolbar: toolbar_text(p.spendable), remaining: p.remaining, extra: p.extra, ..base(p.spendable.to_string(), tone, detail) }
    }
}
