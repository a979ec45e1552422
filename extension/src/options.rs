//! The options page's decisions (`extension/options.html`, DOM glue in `options.js`): the
//! form checked with the core's `Backend::new` (its message is shown and nothing changes on
//! error) and the origin the browser must grant first when the backend is not on loopback.
//! The service worker then owns the settings (`page:settings-save`).
//!
//! (A web-sys version of the whole page measured larger than this plus 60 lines of JS.)

use credits_core::client::{Backend, Settings};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{error_reply, object, to_js};
use crate::popup::text::{Msg, Sub, msg_with};

#[derive(Serialize)]
struct Checked {
    settings: Settings,
    /// The host permission to request before saving (`null` for loopback or no backend).
    origin: Option<String>,
}

/// `{settings, origin}` for the form's values, or `{refused}`: a message (`{key, subs}`)
/// the page says with `chrome.i18n`.
pub fn check(backend_url: &str, api_token: &str, low_threshold: &str, confirm_regenerate: bool, show_badge: bool, notify: bool) -> JsValue {
    let reply = match checked(backend_url, api_token, low_threshold, confirm_regenerate, show_badge, notify) {
        Ok(c) => to_js(&c),
        Err(why) => to_js(&why).map(|m| object(&[("refused", m)])),
    };
    reply.unwrap_or_else(|e| error_reply(&crate::js::message(&e)))
}

fn checked(url: &str, token: &str, low: &str, confirm_regenerate: bool, show_badge: bool, notify: bool) -> Result<Checked, Msg> {
    let refused = |detail: Sub| msg_with("optionsNotSaved", vec![detail]);
    let backend = if url.trim().is_empty() && token.trim().is_empty() {
        None // both cleared: connected to no backend
    } else {
        // The core's refusal names what is wrong.
        Some(Backend::new(url, token).map_err(|r| refused(Sub::Text(r.message)))?)
    };
    let low_threshold = match low.trim() {
        "" => None,
        n => Some(n.parse::<u64>().map_err(|_| refused(Sub::Msg(msg_with("optionsLowThresholdInvalid", vec![Sub::Text(n.to_owned())]))))?),
    };
    let origin = backend.as_ref().filter(|b| !b.is_loopback()).map(Backend::origin_pattern);
    Ok(Checked { settings: Settings { backend, low_threshold, confirm_regenerate, show_badge, notify }, origin })
}
