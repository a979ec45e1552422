//! The message protocol between the content script, the extension pages and the service
//! worker. Types are direction-named (`content:*` from the content script, `page:*` from the
//! extension's pages, `worker:*` pushed by the service worker), one enum per direction,
//! tagged by `type` (the names once, in the serde `rename`s of [`ContentType`] and [`PageType`]; the JS side's once in `extension/messages.js`). Replies are plain objects;
//! a failed request answers `{"error": "..."}`.
//!
//! | message | reply |
//! | --- | --- |
//! | `content:hello {words: [key]}` | [`View`]: badge, problem, container marker; the badge with `reset_text`, its reset date formatted by the worker (`worker::broadcast::content_view`); and `words`: each key's `_locales` text, its substitutions left as holes (`worker::content::templates`) |
//! | `content:describe {url, candidates: [Candidate]}` | [`Described`](credits_core::client::Described): a directive or null per candidate, same order |
//! | `content:click {id, action, regenerate, job_id, occurred_at (ms)}` | the same view once the event is stored |
//! | `content:top-up {}` | `{}`: the worker opened the credits page at Top Up (the out-of-credits notice's Top Up, a click on the page badge) |
//! | `page:state {}` | [`PageState`]: settings, badge and outbox state (the options page, the tests) |
//! | `page:settings-save {settings}` | [`PageState`] with `saved` (a message) and `connection` (as below), or `{refused}` (a message: the backend refused a new token) or an error (nothing changed) |
//! | `page:check-connection {}` | `{me}` (the backend's `GET /v1/me` object), `{me: null, problem, detail}` (the failure in words and its technical detail) or `{me: null}` (no backend set) |
//! | `page:sync-now {}` | [`PageState`] after a sync and balance refresh |
//! | `page:rejections-seen {}` | [`PageState`] |
//! | `page:version {}` | `{version}` |
//! | `page:credits {fetch?: "none"\|"stale"\|"all", filter?: {action, member, job, from, to}, pack?}` | the popup's view model ([`crate::popup::Popup`]). `none` draws what the worker knows, `stale` (default) first refetches the popup's figures if a sync has learnt a newer balance since, `all` syncs and refetches everything (popup opened, Retry). `filter` filters the history, `pack` keeps the chosen pack |
//! | `page:usage {filter?, before?}` | `{history}` ([`crate::popup::History`]): the first page with these filters, or, with the `next_before` cursor as `before`, the next one, added below |
//! | `page:top-up {pack, filter?}` | the whole view model after `POST /v1/topups` of that pack (owners; id from `crypto.randomUUID()`, reused when the answer was lost), with a `status`; the balance is learnt, saved and broadcast |
//! | `page:set-budget {member, credits, filter?}` | the whole view model with a `status`, after `PUT /v1/members/{member}/budget` (owners; `credits` as typed, checked first: a whole number of credits, or null to clear); the figures are refetched and broadcast |
//! | pushed `worker:refresh {view}` | to every Upwork tab and extension page after any change of the balance, outbox, settings or rules: redraw the badge, describe the controls again (the popup asks `page:credits` again) |
//!
//! The popup page never talks to the backend: every figure it shows comes through `page:*`.

use credits_core::Action;
use credits_core::Timestamp;
use credits_core::client::{RejectedEvent, Settings, SyncError, View};
use credits_core::recognition::Candidate;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::popup::history::Filter;

/// The `type` of a message from a content script: the names, once (serde's `rename`s).
#[derive(Clone, Copy, Debug, Deserialize)]
pub enum ContentType {
    #[serde(rename = "content:hello")]
    Hello,
    #[serde(rename = "content:describe")]
    Describe,
    #[serde(rename = "content:click")]
    Click,
    #[serde(rename = "content:top-up")]
    TopUp,
}

/// The `type` of a message from an extension page.
#[derive(Clone, Copy, Debug, Deserialize)]
pub enum PageType {
    #[serde(rename = "page:state")]
    State,
    #[serde(rename = "page:settings-save")]
    SettingsSave,
    #[serde(rename = "page:check-connection")]
    CheckConnection,
    #[serde(rename = "page:sync-now")]
    SyncNow,
    #[serde(rename = "page:rejections-seen")]
    RejectionsSeen,
    #[serde(rename = "page:version")]
    Version,
    #[serde(rename = "page:credits")]
    Credits,
    #[serde(rename = "page:usage")]
    Usage,
    #[serde(rename = "page:top-up")]
    TopUp,
    #[serde(rename = "page:set-budget")]
    SetBudget,
}

/// Any message's tag, read alone (the other fields are read by the variant's own type).
#[derive(Deserialize)]
struct Tag<T> {
    #[serde(rename = "type")]
    kind: T,
}

/// From the content script on an Upwork page.
#[derive(Debug)]
pub enum ContentMessage {
    Hello(Hello),
    Describe(Describe),
    Click(Click),
    TopUp,
}

/// `content:hello {words}`: the `_locales` keys the content script words its UI with; the
/// reply carries each one's text as a template (`worker::content::templates`).
#[derive(Debug, Deserialize)]
pub struct Hello {
    #[serde(default)]
    pub words: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Describe {
    pub url: String,
    pub candidates: Vec<Candidate>,
}

/// A click on a recognized control, as its directive described it. `id` is made by the
/// content script (`crypto.randomUUID()`) at click time, so a resent message is the same event;
/// `occurred_at` is the click's `Date.now()`.
#[derive(Debug, Deserialize)]
pub struct Click {
    pub id: String,
    pub action: Action,
    #[serde(default)]
    pub regenerate: bool,
    #[serde(default)]
    pub job_id: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub occurred_at: Timestamp,
}

/// From the extension's own pages (options, popup).
#[derive(Debug)]
pub enum PageMessage {
    State,
    SettingsSave(SettingsSave),
    CheckConnection,
    SyncNow,
    RejectionsSeen,
    Version,
    Credits(Credits),
    Usage(Usage),
    TopUp(TopUp),
    SetBudget(SetBudget),
}

#[derive(Debug, Deserialize)]
pub struct SettingsSave {
    pub settings: Settings,
}

/// The whole popup; `pack` keeps the chosen pack across a redraw.
#[derive(Debug, Deserialize)]
pub struct Credits {
    #[serde(default)]
    pub fetch: Fetch,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub pack: Option<u64>,
}

/// A page of history: the first with `filter`, or the one after the `before` cursor.
#[derive(Debug, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub before: Option<String>,
}

/// Records `pack` (one of the core's packs).
#[derive(Debug, Deserialize)]
pub struct TopUp {
    #[serde(default)]
    pub pack: Option<u64>,
    #[serde(default)]
    pub filter: Filter,
}

/// An owner sets one member's monthly budget (`credits` as typed) or clears it (null).
#[derive(Debug, Deserialize)]
pub struct SetBudget {
    pub member: String,
    #[serde(default)]
    pub credits: Option<String>,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub pack: Option<u64>,
}

/// How much of the popup's figures `page:credits` asks the backend for first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fetch {
    /// Nothing: draw what the worker knows (the popup's first, instant draw).
    None,
    /// The figures a sync has made stale (after `worker:refresh`).
    #[default]
    Stale,
    /// Sync, then every figure (the popup opened, Retry).
    All,
}

// The tag is read first, then only the variant's own type from the same object. serde's
// internally tagged enums (`#[serde(tag = "type")]`) buffer every message through
// `Content` and instantiate each payload's `Deserialize` twice (extension/README.md, "WASM size").
fn read<T: serde::de::DeserializeOwned>(kind: &str, message: &JsValue) -> Result<T, String> {
    crate::js::from_js(message).map_err(|e| format!("bad {kind} message: {e}"))
}

impl ContentMessage {
    /// `kind` (the `type` the dispatcher saw) names the message in errors.
    pub fn parse(kind: &str, message: JsValue) -> Result<Self, String> {
        let Tag { kind: t } = read::<Tag<ContentType>>(kind, &message)?;
        Ok(match t {
            ContentType::Hello => ContentMessage::Hello(read(kind, &message)?),
            ContentType::Describe => ContentMessage::Describe(read(kind, &message)?),
            ContentType::Click => ContentMessage::Click(read(kind, &message)?),
            ContentType::TopUp => ContentMessage::TopUp,
        })
    }
}

impl PageMessage {
    pub fn parse(kind: &str, message: JsValue) -> Result<Self, String> {
        let Tag { kind: t } = read::<Tag<PageType>>(kind, &message)?;
        Ok(match t {
            PageType::State => PageMessage::State,
            PageType::SettingsSave => PageMessage::SettingsSave(read(kind, &message)?),
            PageType::CheckConnection => PageMessage::CheckConnection,
            PageType::SyncNow => PageMessage::SyncNow,
            PageType::RejectionsSeen => PageMessage::RejectionsSeen,
            PageType::Version => PageMessage::Version,
            PageType::Credits => PageMessage::Credits(read(kind, &message)?),
            PageType::Usage => PageMessage::Usage(read(kind, &message)?),
            PageType::TopUp => PageMessage::TopUp(read(kind, &message)?),
            PageType::SetBudget => PageMessage::SetBudget(read(kind, &message)?),
        })
    }
}

/// Pushed by the service worker: `worker:refresh {view}`, the view as content scripts get
/// it (`worker::broadcast::content_view`).
pub fn refresh(view: JsValue) -> JsValue {
    crate::js::object(&[("type", "worker:refresh".into()), ("view", view)])
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
    /// The last error in the user's words (its technical detail is `last_error.message`).
    pub last_problem: Option<crate::popup::text::Msg>,
    pub next_attempt_at: Option<Timestamp>,
}
