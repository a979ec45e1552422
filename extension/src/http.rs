//! The backend client (SPEC section 3): `fetch` with the Bearer token, JSON in and out
//! through plain JS objects (no serde_json in the WASM); answers are read into the core's
//! types by serde-wasm-bindgen. Every failure maps to the core's
//! [`SyncErrorKind`]: no answer -> `Network`, 401 -> `Unauthorized`, anything else that is
//! not the expected answer -> `Backend`.

use credits_core::api::{BalanceView, ErrorBody, UsageAnswer, UsageBatch, UsagePage, UsageRow};
use credits_core::client::{Backend, SyncErrorKind};
use credits_core::recognition::Rules;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCache, RequestInit, Response};

use serde::de::DeserializeOwned;

use crate::js::{from_js, message, to_js};

/// A request that has not answered by then counts as a network failure (a hung request
/// must not hold the sync guard for the rest of the worker's life).
const TIMEOUT_MS: u32 = 15_000;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (a service worker has no `window`).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> js_sys::Promise;
}

#[derive(Clone, Debug)]
pub struct HttpError {
    pub kind: SyncErrorKind,
    pub message: String,
    /// `Retry-After` in seconds, when the backend said how long to wait (429, 503).
    pub retry_after_secs: Option<u32>,
}

impl HttpError {
    fn new(kind: SyncErrorKind, message: impl Into<String>) -> Self {
        HttpError { kind, message: message.into(), retry_after_secs: None }
    }
}

fn js_error(kind: SyncErrorKind) -> impl Fn(JsValue) -> HttpError {
    move |e| HttpError::new(kind, message(&e))
}

async fn send(backend: &Backend, method: &str, path_and_query: &str, body: Option<&JsValue>, etag: Option<&str>) -> Result<Response, HttpError> {
    let backend_err = js_error(SyncErrorKind::Backend);
    let headers = Headers::new().map_err(&backend_err)?;
    headers.set("Authorization", &format!("Bearer {}", backend.token)).map_err(&backend_err)?;
    headers.set("Accept", "application/json").map_err(&backend_err)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_cache(RequestCache::NoStore);
    if let Some(body) = body {
        let text = js_sys::JSON::stringify(body).map_err(&backend_err)?;
        headers.set("Content-Type", "application/json").map_err(&backend_err)?;
        init.set_body(&text);
    }
    if let Some(etag) = etag {
        headers.set("If-None-Match", etag).map_err(&backend_err)?;
    }
    init.set_headers(&headers);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let url = format!("{}{}", backend.url, path_and_query);
    let answer = JsFuture::from(global_fetch(&url, &init))
        .await
        .map_err(|e| HttpError::new(SyncErrorKind::Network, format!("{} cannot be reached ({})", backend.url, message(&e))))?;
    answer.dyn_into::<Response>().map_err(|_| HttpError::new(SyncErrorKind::Backend, "fetch answered something that is not a Response"))
}

/// One request's answer: the status, the JSON body if there was one, the ETag and the
/// `Retry-After` seconds.
struct Answer {
    status: u16,
    body: Option<JsValue>,
    etag: Option<String>,
    retry_after_secs: Option<u32>,
}

/// Sends one request and reads its JSON body. Not generic, so one copy of this async code
/// serves every endpoint (each generic async fn would be another copy in the WASM).
async fn exchange(backend: &Backend, method: &str, path_and_query: &str, body: Option<&JsValue>, etag: Option<&str>) -> Result<Answer, HttpError> {
    let response = send(backend, method, path_and_query, body, etag).await?;
    let status = response.status();
    let etag = response.headers().get("ETag").ok().flatten();
    // Only the delta-seconds form: the service sends no HTTP dates.
    let retry_after_secs = response.headers().get("Retry-After").ok().flatten().and_then(|v| v.trim().parse().ok());
    let body = if status == 304 {
        None
    } else {
        let promise = response.json().map_err(js_error(SyncErrorKind::Backend))?;
        match JsFuture::from(promise).await {
            Ok(v) => Some(v),
            Err(e) if (200..300).contains(&status) => {
                return Err(HttpError::new(SyncErrorKind::Backend, format!("the backend's answer is not JSON ({})", message(&e))));
            }
            Err(_) => None,
        }
    };
    Ok(Answer { status, body, etag, retry_after_secs })
}

/// The answer read into `T` when the status is 2xx, else the error it describes.
fn expect<T: DeserializeOwned>(answer: Answer, what: &str) -> Result<T, HttpError> {
    if let Some(e) = status_error(&answer) {
        return Err(e);
    }
    read(&answer.body.unwrap_or(JsValue::NULL), what)
}

/// A JSON answer read into `T`, or a `Backend` error naming what was expected.
pub fn read<T: DeserializeOwned>(body: &JsValue, what: &str) -> Result<T, HttpError> {
    from_js(body).map_err(|e| HttpError::new(SyncErrorKind::Backend, format!("unexpected answer for {what} ({e})")))
}

/// The error a non-2xx answer describes.
fn status_error(answer: &Answer) -> Option<HttpError> {
    let status = answer.status;
    if (200..300).contains(&status) {
        return None;
    }
    // `{"error": {"code", "message"}}`.
    let detail = match answer.body.as_ref().map(from_js::<ErrorBody>) {
        Some(Ok(ErrorBody { error })) => format!("{}: {}", error.code, error.message),
        _ => "no details".to_owned(),
    };
    let kind = if status == 401 { SyncErrorKind::Unauthorized } else { SyncErrorKind::Backend };
    Some(HttpError { retry_after_secs: answer.retry_after_secs, ..HttpError::new(kind, format!("the backend answered {status} ({detail})")) })
}

/// `POST /v1/usage`.
pub async fn post_usage(backend: &Backend, batch: &UsageBatch) -> Result<UsageAnswer, HttpError> {
    let body = to_js(batch).map_err(js_error(SyncErrorKind::Backend))?;
    expect(exchange(backend, "POST", "/v1/usage", Some(&body), None).await?, "POST /v1/usage")
}

/// `GET /v1/balance`.
pub async fn balance(backend: &Backend) -> Result<BalanceView, HttpError> {
    const WHAT: &str = "GET /v1/balance";
    let answer = exchange(backend, "GET", "/v1/balance", None, None).await?;
    if let Some(e) = status_error(&answer) {
        return Err(e);
    }
    // Read in two parts: serde's `flatten` costs the shipped WASM some 17 KiB.
    let body = answer.body.unwrap_or(JsValue::NULL);
    let member = js_sys::Reflect::get(&body, &"member".into()).unwrap_or(JsValue::UNDEFINED);
    Ok(BalanceView { team: read(&body, WHAT)?, member: read(&member, WHAT)? })
}

/// `GET /v1/usage?job_id=..&limit=200`: this job's rows, newest first (the core's per-job
/// count, `Outbox::learn_job`).
pub async fn job_usage(backend: &Backend, job_id: &str) -> Result<Vec<UsageRow>, HttpError> {
    // A job id is `~0` and hex digits (checked by the core): nothing to escape.
    let answer = exchange(backend, "GET", &format!("/v1/usage?job_id={job_id}&limit=200"), None, None).await?;
    expect::<UsagePage>(answer, "GET /v1/usage").map(|page| page.rows)
}

/// A `GET` answered with JSON, passed on as the backend's object (the popup's `/v1/me`,
/// `/v1/members`, `/v1/insights`, `/v1/usage`, kept as they came and read with [`read`]).
pub async fn get(backend: &Backend, path_and_query: &str) -> Result<JsValue, HttpError> {
    json(exchange(backend, "GET", path_and_query, None, None).await?)
}

/// A `POST` or `PUT` of a JSON body answered with JSON (`POST /v1/topups`,
/// `PUT /v1/members/{id}/budget`): one function, one copy of its async code.
pub async fn send_json(backend: &Backend, method: &str, path: &str, body: &JsValue) -> Result<JsValue, HttpError> {
    json(exchange(backend, method, path, Some(body), None).await?)
}

fn json(answer: Answer) -> Result<JsValue, HttpError> {
    match status_error(&answer) {
        Some(e) => Err(e),
        None => answer.body.ok_or_else(|| HttpError::new(SyncErrorKind::Backend, "the backend answered no JSON")),
    }
}

/// `GET /v1/rules` with `If-None-Match`: `None` when unchanged (304), else the rules and
/// their ETag.
pub async fn rules(backend: &Backend, etag: Option<&str>) -> Result<Option<(Rules, Option<String>)>, HttpError> {
    let answer = exchange(backend, "GET", "/v1/rules", None, etag).await?;
    if answer.status == 304 {
        return Ok(None);
    }
    let etag = answer.etag.clone();
    Ok(Some((expect(answer, "GET /v1/rules")?, etag)))
}
