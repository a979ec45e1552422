//! Handlers for the extension pages' messages (options page, popup; the popup's figures
//! and views are in [`super::credits`]).

use credits_core::client::{Backend, Event, Settings};
use wasm_bindgen::JsValue;

use super::{broadcast, credits, reply, sync, with};
use crate::js::object;
use crate::messages::{Credits, PageMessage, PageState, SetBudget, SettingsSave, TopUp, Usage};
use crate::{http, options};

pub async fn handle(message: PageMessage) -> Result<JsValue, String> {
    match message {
        PageMessage::State => reply(&state()),
        PageMessage::SettingsSave(SettingsSave { settings }) => connect(Some(settings)).await,
        PageMessage::CheckConnection => connect(None).await,
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
        last_problem: s.outbox.last_error.as_ref().map(|e| options::problem(e.kind)),
        next_attempt_at: s.outbox.next_attempt_at,
    })
}

/// `page:settings-save` (`candidate`: the settings the options page has checked) and
/// `page:check-connection` (none: the saved settings), one path: the backend is asked who
/// the token belongs to (`GET /v1/me`), as `{me}` (the backend's object), `{me: null,
/// problem, detail}` (the failure in words and its technical detail) or `{me: null}` (no
/// backend).
///
/// Saving, the candidate is checked again (a bad backend changes nothing) and
/// [`options::after_check`] decides whether to save and what to say: the reply is
/// [`PageState`] with `saved` (a message) and `connection`, or `{refused}` (a message;
/// nothing changed). A new backend or token forgets what belonged to the old one; pending
/// clicks stay and go to the new one.
async fn connect(mut candidate: Option<Settings>) -> Result<JsValue, String> {
    if let Some(b) = candidate.as_mut().and_then(|s| s.backend.as_mut()) {
        *b = Backend::new(&b.url, &b.token).map_err(|r| r.message)?;
    }
    let saved = with(|s| s.settings.backend.clone());
    let backend = candidate.as_ref().map_or(saved.as_ref(), |s| s.backend.as_ref());
    let mut failed = None;
    let connection = match backend {
        None => object(&[("me", JsValue::NULL)]),
        Some(b) => match http::get(b, "/v1/me").await.and_then(|me| http::read::<credits_core::api::Me>(&me, "GET /v1/me").map(|_| me)) {
            Ok(me) => object(&[("me", me)]),
            Err(e) => {
                failed = Some(e.kind);
                object(&[("me", JsValue::NULL), ("problem", reply(&options::problem(e.kind))?), ("detail", e.message.as_str().into())])
            }
        },
    };
    let Some(settings) = candidate else { return Ok(connection) };
    let (save, said) = options::after_check(saved != settings.backend, failed);
    let said = reply(&said)?;
    if !save {
        return Ok(object(&[("refused", said)]));
    }
    sync::step(Event::SettingsSaved(settings)).await.map_err(|e| format!("could not save: {}", crate::js::message(&e)))?;
    let state = reply(&state())?;
    for (key, value) in [("saved", said), ("connection", connection)] {
        let _ = js_sys::Reflect::set(&state, &key.into(), &value);
    }
    Ok(state)
}
