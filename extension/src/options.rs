//! The options page's decisions (`extension/options.html`, DOM glue in `options.js`): the
//! form checked with the core's `Backend::new` (its message is shown and nothing changes on
//! error) and the origin the browser must grant first when the backend is not on loopback.
//! The service worker then owns the settings (`page:settings-save`).
//!
//! (A web-sys version of the whole page cost ~9 KB more WASM than this plus 60 lines of JS.)

use credits_core::client::{Backend, Settings};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{error_reply, to_js};

#[derive(Serialize)]
struct Checked {
    settings: Settings,
    /// The host permission to request before saving (`null` for loopback or no backend).
    origin: Option<String>,
}

/// `{settings, origin}` for the form's values, or `{error}`.
pub fn check(backend_url: &str, api_token: &str, low_threshold: &str, confirm_regenerate: bool, show_badge: bool) -> JsValue {
    match checked(backend_url, api_token, low_threshold, confirm_regenerate, show_badge) {
        Ok(c) => to_js(&c).unwrap_or_else(|e| error_reply(&crate::js::message(&e))),
        Err(message) => error_reply(&message),
    }
}

fn checked(url: &str, token: &str, low: &str, confirm_regenerate: bool, show_badge: bool) -> Result<Checked, String> {
    let backend = if url.trim().is_empty() && token.trim().is_empty() {
        None // both cleared: connected to no backend
    } else {
        Some(Backend::new(url, token).map_err(|r| r.message)?)
    };
    let low_threshold = match low.trim() {
        "" => None,
        n => Some(n.parse::<u64>().map_err(|_| format!("the low-balance threshold must be a whole number of credits, or empty; not {n}"))?),
    };
    let origin = backend.as_ref().filter(|b| !b.is_loopback()).map(Backend::origin_pattern);
    Ok(Checked { settings: Settings { backend, low_threshold, confirm_regenerate, show_badge }, origin })
}
