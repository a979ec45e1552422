//! Handlers for the content script's messages: what the controls are (recognition and
//! directives, decided by the core), and the clicks on them (into the durable outbox).

use credits_core::api::UsageEvent;
use credits_core::client::{Described, Event};
use credits_core::job_id::is_job_id;
use credits_core::recognition::Candidate;
use wasm_bindgen::JsValue;

use super::{broadcast, reply, sync, with};
use crate::chrome;
use crate::js::now;
use crate::messages::{Click, ContentMessage};

pub async fn handle(message: ContentMessage) -> Result<JsValue, String> {
    match message {
        ContentMessage::Hello(hello) => {
            let view = view()?;
            let _ = js_sys::Reflect::set(&view, &"words".into(), &templates(&hello.words));
            Ok(view)
        }
        ContentMessage::Describe(d) => reply(&describe(&d.url, &d.candidates)),
        ContentMessage::Click(click) => record(click).await,
        ContentMessage::TopUp => {
            open_top_up().await;
            reply(&())
        }
    }
}

/// Where a template's substitution `$n` goes: `HOLE` then the digit n (1-9), a character
/// of Unicode's private use area that no message contains; the content script fills it.
const HOLE: char = '\u{E000}';

/// `{key: text}` for the content script's words, from `_locales` as `chrome.i18n` gives
/// them, each substitution a hole. A page's first `chrome.i18n.getMessage` waits for the
/// browser to send the extension's messages (a synchronous IPC, 5-20 ms of the page's main
/// thread, measured); the worker has them already.
fn templates(keys: &[String]) -> JsValue {
    let holes: js_sys::Array = (1..=9).map(|n| JsValue::from(format!("{HOLE}{n}"))).collect();
    let words = js_sys::Object::new();
    for key in keys {
        let _ = js_sys::Reflect::set(&words, &key.as_str().into(), &chrome::i18n_get_message_with(key, &holes).into());
    }
    words.into()
}

/// A directive per candidate (null when it is not a counted control); a job whose backend
/// count is not known yet is fetched in the background (the machine decides).
fn describe(url: &str, candidates: &[Candidate]) -> Described {
    let (described, effects) = with(|s| s.describe(url, candidates, now()));
    wasm_bindgen_futures::spawn_local(async {
        let _ = sync::execute(effects).await;
    });
    described
}

/// Records one click: into the outbox, written to storage, and only then acknowledged.
/// Then every badge moves and a sync starts (neither is waited for).
async fn record(click: Click) -> Result<JsValue, String> {
    let id = uuid::Uuid::parse_str(&click.id).map_err(|_| format!("{} is not a UUID", click.id))?;
    let event = UsageEvent {
        id,
        action: click.action,
        regenerate: click.regenerate,
        job_id: click.job_id.filter(|j| is_job_id(j)),
        occurred_at: click.occurred_at,
    };
    sync::step(Event::Click(event)).await.map_err(|e| format!("the click could not be stored: {}", crate::js::message(&e)))?;
    view()
}

/// The view as content scripts get it, as a reply.
fn view() -> Result<JsValue, String> {
    with(|s| broadcast::content_view(s)).map_err(|e| crate::js::message(&e))
}

/// The out-of-credits notice's Top Up: the extension's credits page, where an owner tops up
/// (opened in a tab at `#top-up`; payment itself is outside this product). A click on the
/// page badge sends the same message: one message, not two, for the WASM's size.
async fn open_top_up() {
    let props = crate::js::object(&[("url", chrome::runtime_get_url("extension/credits.html#top-up").into())]);
    let _ = chrome::tabs_create(&props).await;
}
