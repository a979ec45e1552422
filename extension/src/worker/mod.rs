//! The service worker: the one owner of the extension's state, and the one place where the
//! data moves in one direction:
//!
//! page click -> `content:click` ([`content`]) -> outbox, saved ([`crate::store`]) ->
//! `POST /v1/usage` ([`sync`]) -> balance -> every badge ([`broadcast`]).
//!
//! The worker can be stopped at any moment (30 s idle, a browser restart), so every change
//! of the outbox is written to `chrome.storage.local` before it is acknowledged. The state
//! is loaded once per worker life into [`State`], the core's step machine: it makes every
//! decision, [`sync`] only runs the effects it returns (never holding the state across an
//! `await`). The outbox has no "in flight" state (the core's design): a worker that dies
//! mid-request sends the same batch again and the backend answers `duplicate`.
//!
//! The JS loader (`extension/background.js`) registers the listeners synchronously and
//! forwards to [`start`], [`on_message`] and [`on_alarm`] once the WASM is initialised.

pub mod broadcast;
mod content;
mod credits;
mod notify;
mod pages;
pub mod sync;

use std::cell::RefCell;

use credits_core::CreditConfig;
use credits_core::client::{Event, Worker};
use wasm_bindgen::prelude::*;

use crate::js::{error_reply, to_js};
use crate::messages::{ContentMessage, PageMessage};
use crate::store;

/// The worker's one state value: the core's machine, holding everything loaded (settings,
/// outbox, rules) and this worker life's sync.
pub type State = Worker;

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` on the state. Never call it across an `await`: take what you need out.
pub fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with_borrow_mut(|s| f(s.as_mut().expect("the worker's state is loaded by start() before any handler runs")))
}

/// Loads the state, makes sure the alarms exist, draws the toolbar badge, and syncs if
/// anything waits or the balance is stale.
pub async fn start() -> Result<(), JsValue> {
    let loaded = store::load().await?;
    let url = loaded.settings.backend.as_ref().map(|b| b.url.clone());
    credits::init(&loaded.popup, url);
    STATE.with_borrow_mut(|s| *s = Some(Worker::new(loaded.settings, loaded.outbox, loaded.rules, CreditConfig::default())));
    sync::ensure_alarms().await;
    broadcast::toolbar().await;
    sync::spawn(Event::Started);
    Ok(())
}

/// A message from a content script (`content:*`) or an extension page (`page:*`).
pub async fn on_message(message: JsValue, sender: JsValue) -> JsValue {
    let kind = js_sys::Reflect::get(&message, &"type".into()).ok().and_then(|t| t.as_string()).unwrap_or_default();
    let reply = if kind.starts_with("content:") {
        match ContentMessage::parse(&kind, message) {
            Ok(m) => content::handle(m).await,
            Err(e) => Err(e),
        }
    } else if kind.starts_with("page:") {
        if !from_extension_page(&sender) {
            Err(format!("{kind} is only accepted from the extension's own pages"))
        } else {
            match PageMessage::parse(&kind, message) {
                Ok(m) => pages::handle(m).await,
                Err(e) => Err(e),
            }
        }
    } else {
        Err(format!("unknown message type \"{kind}\""))
    };
    match reply {
        Ok(value) => value,
        Err(message) => error_reply(&message),
    }
}

/// An alarm went off (see [`sync::ensure_alarms`]).
pub async fn on_alarm(name: String) {
    sync::on_alarm(&name).await;
}

fn sender_field(sender: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(sender.clone(), |v, key| js_sys::Reflect::get(&v, &(*key).into()).unwrap_or(JsValue::UNDEFINED))
}

/// `page:*` messages change settings and read the token: only the extension's own pages
/// may send them (a content script's sender URL is the web page's).
fn from_extension_page(sender: &JsValue) -> bool {
    let own = crate::chrome::runtime_get_url("");
    sender_field(sender, &["url"]).as_string().is_some_and(|url| url.starts_with(&own))
}

/// A reply as a plain JS object, or the reason it could not be made.
pub fn reply<T: serde::Serialize>(value: &T) -> Result<JsValue, String> {
    to_js(value).map_err(|e| crate::js::message(&e))
}
