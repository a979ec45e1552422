//! Handlers for the extension pages' messages (options page, popup; the popup's figures
//! and views are in [`super::credits`]).

use credits_core::client::{Backend, Settings};
use wasm_bindgen::JsValue;

use super::{broadcast, credits, reply, sync, with};
use crate::http;
use crate::js::object;
use crate::messages::{Credits, PageMessage, PageState, SettingsSave, TopUp, Usage};
use crate::store;

pub async fn handle(message: PageMessage) -> Result<JsValue, String> {
    match message {
        PageMessage::State => reply(&state()),
        PageMessage::SettingsSave(SettingsSave { settings }) => {
            save_settings(settings).await?;
            reply(&state())
        }
        PageMessage::CheckConnection => Ok(check_connection().await),
        PageMessage::SyncNow => {
            with(|s| s.outbox.retry_now());
            sync::run_to_end().await;
            reply(&state())
        }
        PageMessage::RejectionsSeen => {
            let entry = with(|s| {
                s.outbox.mark_rejections_seen();
                store::outbox_entry(&s.outbox)
            });
            write(vec![entry.map_err(|e| crate::js::message(&e))?]).await?;
            broadcast::changed();
            reply(&state())
        }
        PageMessage::Version => Ok(object(&[("version", crate::VERSION.into())])),
        PageMessage::Credits(Credits { fetch, filter, pack }) => Ok(credits::credits(fetch, filter, pack).await),
        PageMessage::Usage(Usage { filter, before }) => credits::usage(filter, before).await,
        PageMessage::TopUp(TopUp { pack, filter }) => credits::top_up(pack, filter).await,
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

async fn write(entries: Vec<store::Entry>) -> Result<(), String> {
    store::write(entries).await.map_err(|e| format!("could not save: {}", crate::js::message(&e)))
}

/// Saves settings the options page has checked (checked again here: a bad backend changes
/// nothing). A new backend or token forgets what belonged to the old one; pending clicks
/// stay and go to the new one.
async fn save_settings(mut settings: Settings) -> Result<(), String> {
    if let Some(b) = &settings.backend {
        settings.backend = Some(Backend::new(&b.url, &b.token).map_err(|r| r.message)?);
    }
    let (entries, backend_changed) = with(|s| {
        let changed = s.settings.backend != settings.backend;
        s.settings = settings;
        if changed {
            s.outbox.forget_backend();
            s.rules.etag = None;
            s.rules.checked_at = None;
        }
        let entries = (|| {
            let mut entries = vec![store::settings_entry(&s.settings)?, store::outbox_entry(&s.outbox)?, store::rules_entry(&s.rules)?];
            if changed {
                credits::forget();
                entries.push(credits::forgotten());
            }
            Ok::<_, JsValue>(entries)
        })();
        (entries, changed)
    });
    write(entries.map_err(|e| crate::js::message(&e))?).await?;
    broadcast::changed();
    if backend_changed {
        sync::forget_jobs();
        sync::spawn(); // syncs with the new backend and asks it for rules
    }
    Ok(())
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
