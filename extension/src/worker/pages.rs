//! Handlers for the extension pages' messages (options page, popup; the popup's figures
//! and views are in [`super::credits`]).

use credits_core::client::{Backend, Event, Settings};
use wasm_bindgen::JsValue;

use super::{broadcast, credits, reply, sync, with};
use crate::http;
use crate::js::object;
use crate::messages::{Credits, PageMessage, PageState, SetBudget, SettingsSave, TopUp, Usage};

pub async fn handle(message: PageMessage) -> Result<JsValue, String> {
    match message {
        PageMessage::State => reply(&state()),
        PageMessage::SettingsSave(SettingsSave { settings }) => {
            save_settings(settings).await?;
            reply(&state())
        }
        PageMessage::CheckConnection => Ok(check_connection().await),
        PageMessage::SyncNow => {
            sync::sync_now().await;
            reply(&state())
        }
        PageMessage::RejectionsSeen => {
            sync::step(Event::RejectionsSeen).await.map_err(|e| format!("could not save: {}", crate::js::message(&e)))?;
            reply(&state())
        }
        PageMessage::Version => Ok(object(&[("version", crate::VERSION.into())])),
        PageMessage::Credits(Credits { fetch, filter, pack }) => Ok(credits::credits(fetch, filter, pack).await),
        PageMessage::Usage(Usage { filter, before }) => credits::usage(filter, before).await,
        PageMessage::TopUp(TopUp { pack, filter }) => credits::top_up(pack, filter).await,
        PageMessage::SetBudget(SetBudget { member, credits, filter, pack }) => credits::set_budget(member, credits, filter, pack).await,
    }
}

fn state() -> PageState {
    with(|s| PageState {
        version: crate::VERSION,
        view: broadcast::view(s),
        settings: s.settings.clone(),
        pending: s.outbox.pending.len(),
        rejected: s.outbox.rejected.clone(),
        last_error: s.outbox.last_error.clone(),
        next_attempt_at: s.outbox.next_attempt_at,
    })
}

/// Saves settings the options page has checked (checked again here: a bad backend changes
/// nothing). A new backend or token forgets what belonged to the old one; pending clicks
/// stay and go to the new one.
async fn save_settings(mut settings: Settings) -> Result<(), String> {
    if let Some(b) = &settings.backend {
        settings.backend = Some(Backend::new(&b.url, &b.token).map_err(|r| r.message)?);
    }
    sync::step(Event::SettingsSaved(settings)).await.map_err(|e| format!("could not save: {}", crate::js::message(&e)))
}

/// `GET /v1/me` with the saved settings: who the token belongs to, as `{me}`, or
/// `{me: null, error}` (the failure's detail), or `{me: null}` when no backend is set.
async fn check_connection() -> JsValue {
    let failed = |error: &str| object(&[("me", JsValue::NULL), ("error", error.into())]);
    let Some(backend) = with(|s| s.settings.backend.clone()) else {
        return object(&[("me", JsValue::NULL)]);
    };
    match http::get(&backend, "/v1/me").await {
        Ok(me) => match http::read::<credits_core::api::Me>(&me, "GET /v1/me") {
            Ok(_) => object(&[("me", me)]),
            Err(e) => failed(&e.message),
        },
        Err(e) => failed(&e.message),
    }
}
