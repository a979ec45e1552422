//! The message protocol between the content script, the extension pages and the service
//! worker. Types are direction-named (`content:*` from the content script, `page:*` from the
//! extension's pages, `worker:*` pushed by the service worker), one enum per direction,
//! tagged by `type` (read by hand, see [`ContentMessage::parse`]). Replies are plain objects;
//! a failed request answers `{"error": "..."}`.
//!
//! | message | reply |
//! | --- | --- |
//! | `content:hello {}` | [`View`]: badge, problem, container marker |
//! | `content:describe {url, candidates: [Candidate]}` | [`Described`](credits_core::client::Described): a directive or null per candidate, same order |
//! | `content:click {id, action, regenerate, job_id, occurred_at (ms)}` | [`View`] once the event is stored |
//! | `content:top-up {}` | `{}`: the worker opened the top-up page |
//! | `page:state {}` | [`PageState`]: settings, badge and outbox state (the options page, the tests) |
//! | `page:settings-save {settings}` | [`PageState`] or an error (nothing changed) |
//! | `page:check-connection {}` | `{me}` (the backend's `GET /v1/me` object) or `{me: null, error}` |
//! | `page:sync-now {}` | [`PageState`] after a sync and balance refresh |
//! | `page:rejections-seen {}` | [`PageState`] |
//! | `page:version {}` | `{version}` |
//! | `page:credits {value?: "none"\|"stale"\|"all", action?, member?, credits?}` | the whole popup as a view, `{state, tone, view: [token]}` ([`crate::popup::View`]; tokens in `popup/node.rs`). `none` draws what the worker knows, `stale` (default) first refetches the popup's figures if a sync has learnt a newer balance since, `all` syncs and refetches everything (popup opened, Retry). `action`/`member` filter the history, `credits` keeps the chosen pack |
//! | `page:usage {value?: cursor, action?, member?}` | a view of the `history` and `more` slots: the first page with these filters, or, with the `next_before` cursor as `value`, the next one added below (`+history`) |
//! | `page:top-up {credits, action?, member?}` | the whole popup after `POST /v1/topups` of that pack (owners; id from `crypto.randomUUID()`, reused when the answer was lost), with a `status` slot; the balance is learnt, saved and broadcast |
//! | pushed `worker:refresh {view}` | to every Upwork tab and extension page after any change of the balance, outbox, settings or rules: redraw the badge, describe the controls again (the popup asks `page:credits` again) |
//!
//! The popup page never talks to the backend: every figure it shows comes through `page:*`.

use credits_core::Action;
use credits_core::Timestamp;
use credits_core::client::{RejectedEvent, Settings, SyncError, View};
use credits_core::recognition::{Candidate, NameParts};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{field, items};
use crate::popup::history::Filter;

/// From the content script on an Upwork page.
#[derive(Debug)]
pub enum ContentMessage {
    Hello,
    Describe(Describe),
    Click(Click),
    TopUp,
}

#[derive(Debug)]
pub struct Describe {
    pub url: String,
    pub candidates: Vec<Candidate>,
}

/// A click on a recognized control, as its directive described it. `id` is made by the
/// content script (`crypto.randomUUID()`) at click time, so a resent message is the same event;
/// `occurred_at` is the click's `Date.now()`.
#[derive(Debug)]
pub struct Click {
    pub id: String,
    pub action: Action,
    pub regenerate: bool,
    pub job_id: Option<String>,
    pub occurred_at: Timestamp,
}

/// From the extension's own pages (options, popup).
#[derive(Debug)]
pub enum PageMessage {
    State,
    SettingsSave(Settings),
    CheckConnection,
    SyncNow,
    RejectionsSeen,
    Version,
    Credits { fetch: Fetch, filter: Filter, pack: Option<u64> },
    Usage { filter: Filter, before: Option<String> },
    TopUp { credits: Option<u64>, filter: Filter },
}

/// How much of the popup's figures `page:credits` asks the backend for first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// Nothing: draw what the worker knows (the popup's first, instant draw).
    None,
    /// The figures a sync has made stale (after `worker:refresh`).
    Stale,
    /// Sync, then every figure (the popup opened, Retry).
    All,
}

// The `type` tag is read first and only the variant's fields are deserialized: serde's
// internally tagged enums buffer every message through `Content`, which cost ~45 KB of WASM.
impl ContentMessage {
    pub fn parse(kind: &str, message: JsValue) -> Result<Self, String> {
        Ok(match kind {
            "content:hello" => ContentMessage::Hello,
            "content:describe" => ContentMessage::Describe(Describe {
                url: field(&message, "url").as_string().unwrap_or_default(),
                candidates: items(&field(&message, "candidates")).map(|c| candidate(&c)).collect(),
            }),
            "content:click" => ContentMessage::Click(Click::parse(&message).ok_or_else(|| format!("bad {kind} message"))?),
            "content:top-up" => ContentMessage::TopUp,
            _ => return Err(format!("unknown message type {kind}")),
        })
    }
}

impl PageMessage {
    pub fn parse(kind: &str, message: JsValue) -> Result<Self, String> {
        Ok(match kind {
            "page:state" => PageMessage::State,
            "page:settings-save" => PageMessage::SettingsSave(
                crate::read::settings(&field(&message, "settings")).ok_or_else(|| format!("bad {kind} message: unreadable settings"))?,
            ),
            "page:check-connection" => PageMessage::CheckConnection,
            "page:sync-now" => PageMessage::SyncNow,
            "page:rejections-seen" => PageMessage::RejectionsSeen,
            "page:version" => PageMessage::Version,
            "page:credits" => PageMessage::Credits {
                fetch: match field(&message, "value").as_string().as_deref() {
                    Some("none") => Fetch::None,
                    Some("all") => Fetch::All,
                    _ => Fetch::Stale,
                },
                filter: filter(&message),
                pack: whole(&message, "credits"),
            },
            "page:usage" => PageMessage::Usage { filter: filter(&message), before: field(&message, "value").as_string().filter(|c| !c.is_empty()) },
            "page:top-up" => PageMessage::TopUp { credits: whole(&message, "credits"), filter: filter(&message) },
            _ => return Err(format!("unknown message type {kind}")),
        })
    }
}

/// The history filters as the popup's `<select>`s send them ("" for all).
fn filter(message: &JsValue) -> Filter {
    let text = |key| field(message, key).as_string().filter(|s| !s.is_empty());
    Filter { action: text("action").and_then(|a| Action::from_code(&a)), member: text("member") }
}

/// A whole number sent as a number or a string (a radio's value).
fn whole(message: &JsValue, key: &str) -> Option<u64> {
    let value = field(message, key);
    value.as_f64().map(|n| n as u64).or_else(|| value.as_string()?.parse().ok())
}

// Fields are read one by one where serde is not needed: each serde type costs WASM
// (`Candidate` and `NameParts` by serde: ~5 KB; read here: ~1 KB). Same JSON shape.
fn candidate(c: &JsValue) -> Candidate {
    Candidate {
        tag: field(c, "tag").as_string().unwrap_or_default(),
        role: field(c, "role").as_string(),
        name: name_parts(&field(c, "name")),
        disabled: field(c, "disabled").is_truthy(),
        busy: field(c, "busy").is_truthy(),
        containers: items(&field(c, "containers")).filter_map(|m| m.as_string()).collect(),
        neighbours: items(&field(c, "neighbours")).map(|n| name_parts(&n)).collect(),
        url: field(c, "url").as_string().unwrap_or_default(),
    }
}

fn name_parts(n: &JsValue) -> NameParts {
    let text = |key| field(n, key).as_string();
    NameParts { labelledby: text("labelledby"), aria_label: text("aria_label"), text: text("text"), title: text("title") }
}

impl Click {
    fn parse(message: &JsValue) -> Option<Click> {
        Some(Click {
            id: field(message, "id").as_string()?,
            action: Action::from_code(&field(message, "action").as_string()?)?,
            regenerate: field(message, "regenerate").as_bool().unwrap_or(false),
            job_id: field(message, "job_id").as_string(),
            occurred_at: chrono::DateTime::from_timestamp_millis(field(message, "occurred_at").as_f64()? as i64)?,
        })
    }
}

/// Pushed by the service worker: `worker:refresh`.
#[derive(Debug, Serialize)]
pub struct Refresh {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub view: View,
}

impl Refresh {
    pub fn new(view: View) -> Self {
        Refresh { kind: "worker:refresh", view }
    }
}

/// The state behind the popup and the options page.
#[derive(Debug, Serialize)]
pub struct PageState {
    pub version: &'static str,
    pub view: View,
    pub settings: Settings,
    pub pending: usize,
    pub rejected: Vec<RejectedEvent>,
    pub last_error: Option<SyncError>,
    pub next_attempt_at: Option<Timestamp>,
}
