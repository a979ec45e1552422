//! The executor of the core's [`Worker`](credits_core::client::Worker) machine: every event
//! goes through [`step`], which runs the effects the machine returns. Requests are sent
//! without waiting and their outcome fed back as the next event; saves are awaited in
//! order (a click is acknowledged only once stored). Nothing here decides.
//!
//! Wake-ups: the periodic `sync` alarm (every minute), and at the backoff moment a
//! `setTimeout` while the worker lives plus the one-shot `retry` alarm in case it dies.

use credits_core::Timestamp;
use credits_core::client::{Answer, Effect, Event, Request, Stored};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use super::{broadcast, credits, with};
use crate::chrome;
use crate::http;
use crate::js::{now, object, random};
use crate::store;

const SYNC_ALARM: &str = "sync";
const RETRY_ALARM: &str = "retry";

/// Feeds one event to the machine and runs its effects. Fails only when a save failed.
pub async fn step(event: Event) -> Result<(), JsValue> {
    let effects = with(|s| s.step(event, now(), random()));
    execute(effects).await
}

/// [`step`] without waiting.
pub fn spawn(event: Event) {
    spawn_local(async {
        let _ = step(event).await;
    });
}

/// Runs effects in order: saves are awaited, the rest started.
pub async fn execute(effects: Vec<Effect>) -> Result<(), JsValue> {
    let mut result = Ok(());
    for effect in effects {
        match effect {
            Effect::Save(keys) => {
                if let Err(e) = save(&keys).await {
                    warn(&format!("saving failed: {}", crate::js::message(&e)));
                    result = Err(e);
                }
            }
            Effect::Broadcast => broadcast::changed(),
            Effect::Fetch { seq, backend, request } => spawn_local(async move {
                let outcome = match request {
                    Request::PostUsage(batch) => http::post_usage(&backend, &batch).await.map(Answer::Usage),
                    Request::Balance => http::balance(&backend).await.map(Answer::Balance),
                    Request::JobUsage(job) => http::job_usage(&backend, &job).await.map(Answer::JobUsage),
                    Request::Rules { etag } => http::rules(&backend, etag.as_deref()).await.map(Answer::Rules),
                };
                spawn(match outcome {
                    Ok(answer) => Event::Answered { seq, answer },
                    Err(e) => Event::Failed { seq, kind: e.kind, message: e.message, retry_after_secs: e.retry_after_secs },
                });
            }),
            Effect::RetryAt(at) => retry_at(at),
            Effect::Notify(kind) => super::notify::show(kind),
            Effect::Warn(message) => warn(&message),
        }
    }
    result
}

/// One write of the keys, each taken from the state now.
async fn save(keys: &[Stored]) -> Result<(), JsValue> {
    if keys.contains(&Stored::NoFigures) {
        credits::forget();
    }
    let entries = with(|s| {
        keys.iter()
            .map(|k| match k {
                Stored::Settings => store::settings_entry(&s.settings),
                Stored::Outbox => store::outbox_entry(&s.outbox),
                Stored::Rules => store::rules_entry(&s.rules),
                Stored::NoFigures => Ok(credits::forgotten()),
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    store::write(entries).await
}

fn warn(message: &str) {
    web_sys_console_warn(message);
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn web_sys_console_warn(message: &str);
}

/// A timer while this worker lives, and a one-shot alarm that wakes a new worker if this
/// one is stopped first.
fn retry_at(at: Timestamp) {
    let delay_ms = (at - now()).num_milliseconds().max(0);
    spawn_local(async move {
        let info = object(&[("when", (at.timestamp_millis() as f64).into())]);
        let _ = chrome::alarms_create(RETRY_ALARM, &info).await;
    });
    spawn_local(async move {
        crate::js::sleep(u32::try_from(delay_ms + 50).unwrap_or(u32::MAX)).await;
        let _ = step(Event::Timer).await;
    });
}

/// "Sync now" (and the popup opening): a sync without backoff, waited for to its end.
pub async fn sync_now() {
    let _ = step(Event::SyncNow).await;
    while with(|s| s.syncing()) {
        crate::js::sleep(25).await;
    }
}

/// The periodic alarm survives worker restarts; make sure it exists (browsers may drop
/// alarms on restart).
pub async fn ensure_alarms() {
    let exists = chrome::alarms_get(SYNC_ALARM).await.is_ok_and(|a| !a.is_undefined() && !a.is_null());
    if !exists {
        let _ = chrome::alarms_create(SYNC_ALARM, &object(&[("periodInMinutes", 1.0.into())])).await;
    }
}

pub async fn on_alarm(name: &str) {
    if name == SYNC_ALARM || name == RETRY_ALARM {
        let _ = step(Event::Alarm).await;
    }
}
