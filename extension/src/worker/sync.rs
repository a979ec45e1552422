//! Sync: the outbox to `POST /v1/usage`, then the balance from `GET /v1/balance`; per-job
//! counts from `GET /v1/usage?job_id=`; the rules from `GET /v1/rules` with their ETag.
//!
//! Triggers: right after a click, on worker start, on the periodic `sync` alarm (every
//! minute: also the balance refresh, and the rules once an hour), and at the backoff moment
//! (a `setTimeout` while the worker lives, and the one-shot `retry` alarm in case it dies).
//! One sync at a time per worker (an in-memory flag); a trigger during a sync runs it again
//! once it ends. Nothing here decides: the core's `Outbox` says what to send and when.

use std::cell::{Cell, RefCell};

use credits_core::client::Backend;
use wasm_bindgen_futures::spawn_local;

use super::{broadcast, with};
use crate::chrome;
use crate::http::{self, HttpError};
use crate::js::{now, object, random};
use crate::store;

const SYNC_ALARM: &str = "sync";
const RETRY_ALARM: &str = "retry";
/// The balance is refreshed at worker start when older than this.
const STALE_BALANCE_SECS: i64 = 60;
/// Rules are asked for at most this often (unless the backend changed).
const RULES_EVERY_SECS: i64 = 3600;
/// A job count that could not be fetched is not asked for again before this.
const JOB_RETRY_MS: f64 = 60_000.0;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static RETRY_TIMER: Cell<bool> = const { Cell::new(false) };
    /// Jobs whose backend count the next sync fetches, and those that failed (when, ms). A
    /// few entries at most: Vecs (a second BTreeMap instantiation cost ~5 KB of WASM).
    static WANTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static FAILED: RefCell<Vec<(String, f64)>> = const { RefCell::new(Vec::new()) };
}

/// Starts a sync without waiting for it.
pub fn spawn() {
    spawn_local(run());
}

/// Runs a sync; if one is running, asks it to go round once more and returns.
pub async fn run() {
    if RUNNING.replace(true) {
        AGAIN.set(true);
        return;
    }
    loop {
        AGAIN.set(false);
        once().await;
        if !AGAIN.get() {
            break;
        }
    }
    RUNNING.set(false);
}

/// Runs a sync and waits until no sync is running (for "Sync now").
pub async fn run_to_end() {
    run().await;
    while RUNNING.get() {
        crate::js::sleep(25).await;
    }
}

async fn once() {
    let Some(backend) = with(|s| s.settings.backend.clone()) else { return };
    // In backoff: nothing is tried before the moment the core set.
    if with(|s| s.outbox.next_attempt_at.is_some_and(|t| t > now())) {
        schedule_retry();
        return;
    }
    // Settings changed while a request was out: its answer is the old backend's (pending
    // events stay pending for the new one).
    let current = |s: &super::State| s.settings.backend.as_ref() == Some(&backend);
    // Drain: a batch at a time, each answered event leaves the outbox.
    loop {
        let at = now();
        let Some(batch) = with(|s| s.outbox.batch(at)) else {
            break;
        };
        let answer = match http::post_usage(&backend, &batch).await {
            Ok(answer) => answer,
            Err(e) => return failed(&backend, e).await,
        };
        let entry = with(|s| {
            current(s).then(|| {
                s.outbox.answered(&answer, &s.config.prices, now());
                store::outbox_entry(&s.outbox)
            })
        });
        let Some(entry) = entry else { return };
        if save(entry).await.is_err() {
            return;
        }
        broadcast::changed();
    }
    // The balance, after every sync (and on the periodic alarm, which runs a sync).
    let balance = match http::balance(&backend).await {
        Ok(balance) => balance,
        Err(e) => return failed(&backend, e).await,
    };
    let mut changed = with(|s| {
        current(s).then(|| {
            s.outbox.learn_balance(balance, now());
            // The backend answered: no error to show, no backoff to keep.
            s.outbox.retry_now();
        })
    });
    // Per-job counts wanted by `content:describe` (Regenerate warnings), once the cycle is known.
    for job in WANTED.take() {
        match http::job_usage(&backend, &job).await {
            Ok(rows) => changed = changed.or(with(|s| current(s).then(|| s.outbox.learn_job(&job, &rows)))),
            Err(_) => FAILED.with_borrow_mut(|f| f.push((job, js_sys::Date::now()))),
        }
    }
    if changed.is_some() {
        if let Some(entry) = with(|s| current(s).then(|| store::outbox_entry(&s.outbox))) {
            let _ = save(entry).await;
        }
        broadcast::changed();
    }
    refresh_rules(&backend).await;
}

async fn save(entry: Result<store::Entry, wasm_bindgen::JsValue>) -> Result<(), ()> {
    let written = match entry {
        Ok(entry) => store::write(vec![entry]).await,
        Err(e) => Err(e),
    };
    written.map_err(|e| web_log(&format!("saving the outbox failed: {}", crate::js::message(&e))))
}

fn web_log(message: &str) {
    web_sys_console_warn(message);
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn web_sys_console_warn(message: &str);
}

/// A failed request: nothing leaves the outbox; the core sets the backoff (with jitter from
/// `Math.random`), the badge shows the problem, and a retry is scheduled.
async fn failed(backend: &Backend, e: HttpError) {
    let entry = with(|s| {
        if s.settings.backend.as_ref() != Some(backend) {
            return None;
        }
        s.outbox.failed(e.kind, e.message, now(), random());
        Some(store::outbox_entry(&s.outbox))
    });
    if let Some(entry) = entry {
        let _ = save(entry).await;
        broadcast::changed();
        schedule_retry();
    }
}

/// Retries at the core's backoff moment: a timer while this worker lives, and a one-shot
/// alarm that wakes a new worker if this one is stopped first.
fn schedule_retry() {
    let Some(at) = with(|s| s.outbox.due_at().flatten()) else { return };
    let delay_ms = (at - now()).num_milliseconds().max(0);
    spawn_local(async move {
        let info = object(&[("when", (at.timestamp_millis() as f64).into())]);
        let _ = chrome::alarms_create(RETRY_ALARM, &info).await;
    });
    if RETRY_TIMER.replace(true) {
        return;
    }
    spawn_local(async move {
        crate::js::sleep(u32::try_from(delay_ms + 50).unwrap_or(u32::MAX)).await;
        RETRY_TIMER.set(false);
        run().await;
    });
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
        run().await;
    }
}

/// At worker start: sync (and so ask for rules when due) when events wait or the balance is
/// unknown or stale.
pub fn on_start() {
    let at = now();
    let due = with(|s| {
        s.settings.backend.is_some()
            && (!s.outbox.pending.is_empty() || s.outbox.balance.as_ref().is_none_or(|b| (at - b.at).num_seconds() >= STALE_BALANCE_SECS))
    });
    if due {
        spawn();
    }
}

/// `content:describe` met a job whose backend count is not known: fetch it with the next
/// sync (started now), unless it failed a moment ago.
pub fn want_job(job: String) {
    let now = js_sys::Date::now();
    let failed_lately = FAILED.with_borrow_mut(|f| {
        f.retain(|(_, at)| now - at < JOB_RETRY_MS);
        f.iter().any(|(j, _)| *j == job)
    });
    let queued = WANTED.with_borrow_mut(|w| {
        let new = !failed_lately && !w.contains(&job);
        if new {
            w.push(job);
        }
        new
    });
    if queued {
        spawn();
    }
}

/// A new backend: what was asked of the old one means nothing.
pub fn forget_jobs() {
    WANTED.with_borrow_mut(Vec::clear);
    FAILED.with_borrow_mut(Vec::clear);
}

/// `GET /v1/rules` with the stored ETag, when due (after a backend change, at once).
/// Rules that do not validate are ignored; the current ones (shipped by default) stay.
async fn refresh_rules(backend: &Backend) {
    let at = now();
    let due = with(|s| s.rules.checked_at.is_none_or(|t| (at - t).num_seconds() >= RULES_EVERY_SECS));
    if !due {
        return;
    }
    let etag = with(|s| s.rules.etag.clone());
    let Ok(answer) = http::rules(backend, etag.as_deref()).await else { return };
    let (entry, changed) = with(|s| {
        let mut changed = false;
        if let Some((rules, etag)) = answer {
            match rules.validate() {
                Ok(()) => {
                    changed = rules != s.rules.rules;
                    s.rules.rules = rules;
                    s.rules.etag = etag;
                }
                Err(e) => web_log(&format!("the backend's rules are not used: {e}")),
            }
        }
        s.rules.checked_at = Some(at);
        (store::rules_entry(&s.rules), changed)
    });
    if let Ok(entry) = entry {
        let _ = store::write(vec![entry]).await;
    }
    if changed {
        broadcast::changed();
    }
}
