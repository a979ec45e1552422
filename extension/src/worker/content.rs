//! Handlers for the content script's messages: what the controls are (recognition and
//! directives, decided by the core), and the clicks on them (into the durable outbox).

use credits_core::api::UsageEvent;
use credits_core::client::directive;
use credits_core::job_id::{is_job_id, job_id_from_url};
use credits_core::recognition::Candidate;
use wasm_bindgen::JsValue;

use super::{broadcast, reply, sync, with};
use crate::chrome;
use crate::messages::{Click, ContentMessage, Described};
use crate::store;

pub async fn handle(message: ContentMessage) -> Result<JsValue, String> {
    match message {
        ContentMessage::Hello => reply(&with(|s| broadcast::view(s))),
        ContentMessage::Describe(d) => reply(&describe(&d.url, &d.candidates)),
        ContentMessage::Click(click) => reply(&record(click).await?),
        ContentMessage::TopUp => {
            open_top_up().await;
            reply(&())
        }
    }
}

/// A directive per candidate (null when it is not a counted control), with the job id from
/// the page URL. When the backend's count for that job is not known yet, it is fetched in
/// the background and every tab is refreshed once it is.
fn describe(url: &str, candidates: &[Candidate]) -> Described {
    let job = job_id_from_url(url);
    let (directives, fetch_job) = with(|s| {
        let directives: Vec<_> = candidates
            .iter()
            .map(|c| {
                s.rules.rules.recognize(c).ok().map(|r| directive(r, job.as_deref(), &s.outbox, &s.settings, &s.config.prices, s.config.low_percent))
            })
            .collect();
        let recognized = directives.iter().any(Option::is_some);
        let fetch_job = job.clone().filter(|j| recognized && s.settings.backend.is_some() && s.outbox.job_cycle.is_some() && !s.outbox.knows_job(j));
        (directives, fetch_job)
    });
    if let Some(job) = fetch_job {
        sync::want_job(job);
    }
    Described { directives }
}

/// Records one click: into the outbox, written to storage, and only then acknowledged.
/// Then every badge moves and a sync starts (neither is waited for).
async fn record(click: Click) -> Result<crate::messages::View, String> {
    let id = uuid::Uuid::parse_str(&click.id).map_err(|_| format!("{} is not a UUID", click.id))?;
    let event = UsageEvent {
        id,
        action: click.action,
        regenerate: click.regenerate,
        job_id: click.job_id.filter(|j| is_job_id(j)),
        occurred_at: click.occurred_at,
    };
    let entry = with(|s| {
        s.outbox.record(event);
        store::outbox_entry(&s.outbox)
    });
    let entry = entry.map_err(|e| crate::js::message(&e))?;
    store::write(vec![entry]).await.map_err(|e| format!("the click could not be stored: {}", crate::js::message(&e)))?;
    broadcast::changed();
    sync::spawn();
    Ok(with(|s| broadcast::view(s)))
}

/// The out-of-credits notice's Top Up: the extension's credits page, where an owner tops up
/// (the popup page, opened in a tab at `#top-up`; payment itself is outside this product).
async fn open_top_up() {
    let props = crate::js::object(&[("url", chrome::runtime_get_url("extension/popup.html#top-up").into())]);
    let _ = chrome::tabs_create(&props).await;
}
