//! Directives: what the content script draws on a recognized control and does on a click,
//! decided ahead of the click (a click handler cannot wait for the service worker).

use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::settings::Settings;
use crate::action::{Action, PriceTable};
use crate::recognition::Recognized;

/// What to do with one recognized control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    pub action: Action,
    pub regenerate: bool,
    /// The job the click is for, from the page URL.
    pub job_id: Option<String>,
    pub cost: u32,
    /// The cost chip: "1 credit".
    pub chip: String,
    /// Shown before a Regenerate is used.
    pub warning: Option<String>,
    /// Hold the click until the user confirms (Regenerate, when the option is on).
    pub confirm: bool,
    /// Nothing left to spend: show the out-of-credits notice instead of counting.
    pub blocked: bool,
}

fn credits(n: u64) -> String {
    if n == 1 { "1 credit".to_owned() } else { format!("{n} credits") }
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
    let blocked = outbox.projection(prices, low_percent).is_some_and(|p| p.spendable < u64::from(cost));
    let warning = recognized.regenerate.then(|| {
        let more = format!("Regenerating uses {} more.", credits(cost.into()));
        match job_id {
            Some(job) => format!("{more} This job has used {} this cycle.", credits(outbox.job_used(job, prices))),
            None => more,
        }
    });
    Directive {
        action: recognized.action,
        regenerate: recognized.regenerate,
        job_id: job_id.map(str::to_owned),
        cost,
        chip: credits(cost.into()),
        warning,
        confirm: recognized.regenerate && settings.confirm_regenerate && !blocked,
        blocked,
    }
}
