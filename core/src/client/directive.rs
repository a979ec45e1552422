//! Directives: what the content script draws on a recognized control and does on a click,
//! decided ahead of the click (a click handler cannot wait for the service worker).
//! Numbers and codes only: the content script puts them into words from `_locales`.

use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::settings::Settings;
use crate::action::{Action, PriceTable};
use crate::api::Reason;
use crate::recognition::Recognized;

/// What to do with one recognized control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    pub action: Action,
    pub regenerate: bool,
    /// The job the click is for, from the page URL.
    pub job_id: Option<String>,
    /// The cost chip's number.
    pub cost: u32,
    /// Shown before a Regenerate is used.
    pub warning: Option<RegenerateWarning>,
    /// Hold the click until the user confirms (Regenerate, when the option is on).
    pub confirm: bool,
    /// The ledger would refuse this charge, and why (`insufficient_credits`: the pool is
    /// empty; `member_budget_exhausted`: the member's budget is used up): a notice instead
    /// of counting.
    pub blocked: Option<Reason>,
}

/// "This reroll costs `cost`. Rerolls of this result on this job so far: `rerolls`."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegenerateWarning {
    pub cost: u32,
    /// Earlier rerolls of this action's result on this page's job this cycle (the backend's
    /// count plus pending); none when the page has no job.
    pub rerolls: Option<u64>,
}

/// The directive for a recognized control on a page for `job_id`.
pub fn directive(
    recognized: Recognized,
    job_id: Option<&str>,
    outbox: &Outbox,
    settings: &Settings,
    prices: &PriceTable,
    low_percent: u8,
) -> Directive {
    let cost = prices.cost(recognized.action);
    // Unknown balance (never synced): count, and let the backend decide.
    let blocked = outbox.projection(prices, low_percent).and_then(|p| p.refusal(cost.into()));
    // Nothing to warn about spending when the click will not be counted (the notice says why).
    let warning = (recognized.regenerate && blocked.is_none())
        .then(|| RegenerateWarning { cost, rerolls: job_id.map(|job| outbox.job_rerolls(job, recognized.action)) });
    Directive {
        action: recognized.action,
        regenerate: recognized.regenerate,
        job_id: job_id.map(str::to_owned),
        cost,
        warning,
        confirm: recognized.regenerate && settings.confirm_regenerate && blocked.is_none(),
        blocked,
    }
}
