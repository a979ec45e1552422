//! The popup's figures (`page:credits`, `page:usage`, `page:top-up`, `page:set-budget`): the backend's
//! `GET /v1/me`, `/v1/members`, `/v1/insights` and the first page of `/v1/usage`, kept in
//! memory and in `chrome.storage.local` (key `popup`, the answers as the backend sent them
//! with the moment each was learnt) so a popup opened while the backend cannot be reached
//! shows the last known figures with their age. The balance is the outbox's (the sync's).
//! The views themselves are `crate::popup`'s, from this data.

use std::cell::RefCell;

use credits_core::Timestamp;
use credits_core::api::{Balance, Insights, Me, MemberRow, PlanAdviceFigures, Role, UsagePage};
use credits_core::client::{Backend, BadgeView, SyncError, SyncErrorKind, figures_stale};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::JsValue;

use super::{sync, with};
use crate::chrome;
use crate::http::{self, HttpError};
use crate::js::{from_js, now, object, to_js};
use crate::messages::Fetch;
use crate::popup::history::Filter;
use crate::popup::text::{self as words, Msg, Sub, msg, msg_with};
use crate::popup::{self, Ages, Input, Popup};
use crate::store;
use serde::Deserialize;

const KEY: &str = store::POPUP;
/// History rows per page (the backend's default).
const PAGE: u32 = 50;

/// A figure and when it was learnt (stored as the backend's answer and milliseconds).
#[derive(Deserialize)]
struct Known<T> {
    value: T,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    at: Timestamp,
}

/// What is stored under `popup`.
#[derive(Deserialize)]
struct Stored {
    url: Option<String>,
    me: Option<Known<Me>>,
    members: Option<Known<Vec<MemberRow>>>,
    insights: Option<Known<Insights>>,
    usage: Option<Known<UsagePage>>,
}

#[derive(Default)]
struct Cache {
    /// The backend the figures came from.
    url: Option<String>,
    me: Option<Known<Me>>,
    members: Option<Known<Vec<MemberRow>>>,
    insights: Option<Known<Insights>>,
    /// `insights`' `plan_advice`.
    plan_advice: Option<PlanAdviceFigures>,
    /// The unfiltered first page.
    usage: Option<Known<UsagePage>>,
    /// What is stored: `{url, me: {at, value}, ...}`.
    raw: Option<js_sys::Object>,
    /// The last fetch's failure and the last success, this worker life.
    error: Option<SyncError>,
    ok_at: Option<Timestamp>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// A new backend or token: nothing known belongs to it (the stored figures are dropped
/// with the settings' own write, see [`forgotten`]).
pub fn forget() {
    CACHE.with_borrow_mut(|c| *c = Cache::default());
}

/// The storage entry that drops the stored figures.
pub fn forgotten() -> store::Entry {
    store::Entry::new(KEY, JsValue::NULL)
}

/// Reads one fetched answer into the cache; false when it is not what was expected.
fn learn(c: &mut Cache, name: &str, value: &JsValue, at: Timestamp) -> bool {
    fn known<T: serde::de::DeserializeOwned>(value: &JsValue, at: Timestamp) -> Option<Known<T>> {
        from_js(value).ok().map(|value| Known { value, at })
    }
    match name {
        "me" => known(value, at).map(|k| c.me = Some(k)).is_some(),
        "members" => known(value, at).map(|k| c.members = Some(k)).is_some(),
        "insights" => known(value, at)
            .map(|k| {
                c.insights = Some(k);
                c.plan_advice = plan_advice(value);
            })
            .is_some(),
        "usage" => known(value, at).map(|k| c.usage = Some(k)).is_some(),
        _ => false,
    }
}

/// `plan_advice` of an insights answer (the same value as [`Insights`], read apart); none
/// from an older backend.
fn plan_advice(insights: &JsValue) -> Option<PlanAdviceFigures> {
    from_js(&js_sys::Reflect::get(insights, &"plan_advice".into()).ok()?).ok()
}

const NAMES: [&str; 4] = ["me", "members", "insights", "usage"];

/// At worker start: the stored figures, if they belong to the backend now set.
pub fn init(stored: &JsValue, url: Option<String>) {
    CACHE.with_borrow_mut(|c| {
        *c = Cache::default();
        let Ok(figures) = from_js::<Stored>(stored) else { return };
        if url.is_none() || figures.url != url {
            return;
        }
        *c = Cache { me: figures.me, members: figures.members, insights: figures.insights, usage: figures.usage, url, ..Cache::default() };
        let insights = js_sys::Reflect::get(stored, &"insights".into()).and_then(|k| js_sys::Reflect::get(&k, &"value".into()));
        c.plan_advice = insights.ok().and_then(|v| plan_advice(&v));
        c.raw = stored.clone().dyn_into().ok();
    });
}

/// Whether a sync has learnt a balance newer than the popup's figures (or some are missing).
fn stale(balance_at: Option<Timestamp>, url: &str) -> bool {
    CACHE.with_borrow(|c| {
        let ages = [c.members.as_ref().map(|k| k.at), c.insights.as_ref().map(|k| k.at), c.usage.as_ref().map(|k| k.at)];
        figures_stale(c.url.as_deref(), url, c.me.is_some(), &ages, balance_at)
    })
}

/// Fetches the popup's figures (`me` only when asked or unknown), keeps them with the moment
/// they were learnt (in memory and storage), and remembers the outcome for the state: the
/// first failure stops the rest (what came before it is kept).
async fn refresh(backend: &Backend, with_me: bool) {
    let mut got: Vec<(&str, JsValue)> = Vec::new();
    let mut error = None;
    for name in NAMES {
        if name == "me" && !with_me && CACHE.with_borrow(|c| c.me.is_some() && c.url.as_deref() == Some(&backend.url)) {
            continue;
        }
        let path = match name {
            "me" => "/v1/me".to_owned(),
            "usage" => format!("/v1/usage?limit={PAGE}"),
            _ => format!("/v1/{name}"),
        };
        match http::get(backend, &path).await {
            Ok(value) => got.push((name, value)),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if with(|s| s.settings.backend.as_ref() != Some(backend)) {
        return; // the settings changed meanwhile: these figures belong to no one
    }
    let at = now();
    let stored = CACHE.with_borrow_mut(|c| {
        if c.url.as_deref() != Some(&backend.url) {
            *c = Cache { url: Some(backend.url.clone()), ..Cache::default() };
        }
        let raw = c.raw.get_or_insert_with(js_sys::Object::new).clone();
        let _ = js_sys::Reflect::set(&raw, &"url".into(), &backend.url.as_str().into());
        for (name, value) in &got {
            if learn(c, name, value, at) {
                let entry = object(&[("at", (at.timestamp_millis() as f64).into()), ("value", value.clone())]);
                let _ = js_sys::Reflect::set(&raw, &(*name).into(), &entry);
            } else if error.is_none() {
                error = Some(HttpError { kind: SyncErrorKind::Backend, message: format!("unexpected answer for {name}"), retry_after_secs: None });
            }
        }
        match error {
            Some(e) => c.error = Some(SyncError { kind: e.kind, message: e.message, at }),
            None => {
                c.error = None;
                c.ok_at = Some(at);
            }
        }
        raw
    });
    let _ = chrome::storage_set(&object(&[(KEY, stored.into())])).await;
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// One page of history with the filters: `GET /v1/usage?limit=50&...&before=`.
async fn usage_page(backend: &Backend, filter: &Filter, before: Option<&str>) -> Result<UsagePage, HttpError> {
    let mut query = format!("/v1/usage?limit={PAGE}");
    if let Some(a) = filter.action {
        query.push_str("&action=");
        query.push_str(a.code());
    }
    // The parameters' names, then the encoded values: one loop, one copy of the code.
    for (name, value) in [
        ("&member=", &filter.member),
        ("&job_id=", &filter.job),
        ("&from=", &filter.from),
        ("&to=", &filter.to),
        ("&before=", &before.map(str::to_owned)),
    ] {
        if let Some(v) = value {
            query.push_str(name);
            query.push_str(&encode(v));
        }
    }
    http::read(&http::get(backend, &query).await?, "GET /v1/usage")
}

/// The view of the popup (or of a page of history) from the worker's state and the cache.
/// `usage` replaces the cached first page (a filtered or later page).
fn build(filter: &Filter, pack: Option<u64>, usage: Option<&UsagePage>, history_only: Option<bool>, status: Option<Msg>) -> JsValue {
    let view = with(|s| {
        CACHE.with_borrow(|c| {
            let url = s.settings.backend.as_ref().map(|b| b.url.as_str());
            let mine = c.url.as_deref() == url && url.is_some();
            let projection = s.outbox.projection(&s.config.prices, s.config.low_percent);
            let badge = BadgeView::new(&s.outbox, &s.settings, &s.config.prices, s.config.low_percent);
            let fetch_error = c.error.as_ref().filter(|_| mine);
            let input = Input {
                configured: url.is_some(),
                problem: popup::state::problem(s.outbox.last_error.as_ref(), fetch_error, c.ok_at),
                tone: badge.tone,
                projection: projection.as_ref(),
                plan: s.outbox.balance.as_ref().map(|b| b.balance.plan),
                seats: s.outbox.balance.as_ref().map(|b| b.balance.seats),
                me: c.me.as_ref().filter(|_| mine).map(|k| &k.value),
                members: c.members.as_ref().filter(|_| mine).map(|k| k.value.as_slice()),
                insights: c.insights.as_ref().filter(|_| mine).map(|k| &k.value),
                plan_advice: c.plan_advice.as_ref().filter(|_| mine),
                usage: usage.or(c.usage.as_ref().filter(|_| mine).map(|k| &k.value)),
                outbox: &s.outbox,
                prices: &s.config.prices,
                packs: &s.config.packs,
                filter,
                pack,
                ages: Ages {
                    balance: s.outbox.balance.as_ref().map(|b| b.at),
                    members: c.members.as_ref().filter(|_| mine).map(|k| k.at),
                    insights: c.insights.as_ref().filter(|_| mine).map(|k| k.at),
                    usage: c.usage.as_ref().filter(|_| mine).map(|k| k.at),
                },
                now: now(),
            };
            match history_only {
                Some(first) => to_js(&HistoryReply { history: popup::history_page(&input, first) }),
                None => to_js(&Popup { status, ..popup::credits(&input) }),
            }
        })
    });
    view.unwrap_or_else(|e| crate::js::error_reply(&crate::js::message(&e)))
}

/// `page:usage`'s reply: only the history.
#[derive(serde::Serialize)]
struct HistoryReply {
    history: popup::History,
}

/// `page:credits`: the whole popup, after fetching what `fetch` asks for. `All` is the user
/// asking for fresh figures (the popup opened, Retry): like "Sync now", it ends the sync's
/// backoff, syncs, then fetches everything unless the sync found the backend unreachable
/// or the token refused (the fetches would only wait or be refused too).
pub async fn credits(fetch: Fetch, filter: Filter, pack: Option<u64>) -> JsValue {
    let backend = with(|s| s.settings.backend.clone());
    let mut live = None;
    if let Some(backend) = &backend {
        let fetch_now = match fetch {
            Fetch::None => false,
            Fetch::Stale => stale(with(|s| s.outbox.balance.as_ref().map(|b| b.at)), &backend.url),
            Fetch::All => {
                sync::sync_now().await;
                with(|s| s.outbox.last_error.as_ref().is_none_or(|e| e.kind == SyncErrorKind::Backend))
            }
        };
        if fetch_now {
            refresh(backend, fetch == Fetch::All).await;
        }
        // A filtered first page is not kept; asked for when the backend just answered.
        let answered = fetch != Fetch::None && CACHE.with_borrow(|c| c.error.is_none()) && with(|s| s.outbox.last_error.is_none());
        if filter != Filter::default() && answered {
            live = usage_page(backend, &filter, None).await.ok();
        }
    }
    build(&filter, pack, live.as_ref(), None, None)
}

/// `page:usage`: the first page with new filters, or the next page after a cursor.
pub async fn usage(filter: Filter, before: Option<String>) -> Result<JsValue, String> {
    let Some(backend) = with(|s| s.settings.backend.clone()) else { return Ok(build(&filter, None, None, Some(before.is_none()), None)) };
    match usage_page(&backend, &filter, before.as_deref()).await {
        Ok(page) => Ok(build(&filter, None, Some(&page), Some(before.is_none()), None)),
        // The first page falls back to the cached one, filtered here.
        Err(e) if before.is_none() => {
            CACHE.with_borrow_mut(|c| c.error = Some(SyncError { kind: e.kind, message: e.message, at: now() }));
            Ok(build(&filter, None, None, Some(true), None))
        }
        Err(e) => Err(e.message),
    }
}

/// `page:top-up`: records one of the core's packs (owners only; payment is outside this
/// product), learns the balance the backend answers, saves it and refreshes every badge
/// (a blocked control is unblocked at once). The reply is the whole popup with a status.
pub async fn top_up(pack: Option<u64>, filter: Filter) -> Result<JsValue, String> {
    let Some(backend) = with(|s| s.settings.backend.clone()) else { return Ok(build(&filter, pack, None, None, Some(msg("notConfigured")))) };
    let Some(pack) = pack.filter(|c| with(|s| s.config.packs.contains(c))) else {
        return Ok(build(&filter, None, None, None, Some(msg("topUpChoose"))));
    };
    if CACHE.with_borrow(|c| c.me.as_ref().is_some_and(|m| m.value.role != Role::Owner)) {
        return Ok(build(&filter, Some(pack), None, None, Some(msg("topUpOwnerOnly"))));
    }
    let id = with(|s| s.top_up.id_for(pack, crate::js::random_uuid));
    let body = object(&[("id", id.as_str().into()), ("credits", (pack as f64).into())]);
    let answer = http::send_json(&backend, "POST", "/v1/topups", &body).await;
    let status = match answer.and_then(|v| http::read::<Balance>(&v, "POST /v1/topups")) {
        Ok(balance) => {
            with(|s| s.top_up.ended(None));
            // Unless the settings changed meanwhile (the machine checks the backend).
            let _ = sync::step(credits_core::client::Event::BalanceLearnt { backend: backend.clone(), balance }).await;
            msg_with("topUpDone", vec![Sub::Msg(words::credits(pack))])
        }
        Err(e) => {
            with(|s| s.top_up.ended(Some(e.kind)));
            msg_with("topUpFailed", vec![Sub::Text(e.message)])
        }
    };
    Ok(build(&filter, Some(pack), None, None, Some(status)))
}

/// `page:set-budget`: an owner sets (or, with `None`, clears) a member's monthly budget.
/// What was typed is checked first (nothing is sent when it is not a budget); after the
/// backend's answer the figures are fetched again and every page redraws. The reply is the
/// whole view model with a status.
pub async fn set_budget(member: String, typed: Option<String>, filter: Filter, pack: Option<u64>) -> Result<JsValue, String> {
    let Some(backend) = with(|s| s.settings.backend.clone()) else { return Ok(build(&filter, pack, None, None, Some(msg("notConfigured")))) };
    if CACHE.with_borrow(|c| c.me.as_ref().is_some_and(|m| m.value.role != Role::Owner)) {
        return Ok(build(&filter, pack, None, None, Some(msg("budgetOwnerOnly"))));
    }
    let credits = match typed.as_deref().map(popup::members::budget_input).transpose() {
        Ok(c) => c,
        Err(refused) => return Ok(build(&filter, pack, None, None, Some(refused))),
    };
    let body = object(&[("credits", credits.map_or(JsValue::NULL, |c| (c as f64).into()))]);
    let answer = http::send_json(&backend, "PUT", &format!("/v1/members/{}/budget", encode(&member)), &body).await;
    let status = match answer.and_then(|v| http::read::<MemberRow>(&v, "PUT /v1/members/{id}/budget")) {
        Ok(row) => {
            // The member's own budget is in the balance too (its badge, its cards).
            sync::sync_now().await;
            refresh(&backend, false).await;
            super::broadcast::changed();
            match row.budget {
                Some(b) => msg_with("budgetSaved", vec![Sub::Text(row.name), Sub::Msg(words::credits(b))]),
                None => msg_with("budgetCleared", vec![Sub::Text(row.name)]),
            }
        }
        Err(e) => msg_with("budgetFailed", vec![Sub::Text(e.message)]),
    };
    Ok(build(&filter, pack, None, None, Some(status)))
}
