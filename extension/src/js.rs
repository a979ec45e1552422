//! Small bridges to JavaScript: serde to and from plain JS objects (JSON-compatible, so
//! `chrome.storage` and message passing keep them intact), the clock and randomness.

use credits_core::Timestamp;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A plain JS value: maps become objects, `None` becomes null (storable, cloneable).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

/// A JS value read into a Rust type by serde-wasm-bindgen (messages, the backend's
/// answers, the stored state: one way everywhere).
pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| e.to_string())
}

/// Now, from the browser's clock (the core never reads a clock).
pub fn now() -> Timestamp {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A number in 0..1 for the backoff's jitter (the core has no randomness of its own).
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// A readable message from a thrown JS value.
pub fn message(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    error.as_string().unwrap_or_else(|| "unknown error".to_owned())
}

/// A small JS object from its fields, for the `chrome.*` arguments (smaller than a
/// serde type per argument).
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&obj, &(*key).into(), value);
    }
    obj.into()
}

/// An error reply for a message: `{"error": "..."}`.
pub fn error_reply(message: &str) -> JsValue {
    object(&[("error", message.into())])
}

use wasm_bindgen::JsCast as _;

/// Resolves after `ms` milliseconds, by the global `setTimeout` (a service worker has no
/// `window`); gloo-timers is not needed for one timer.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: u32) -> JsValue;
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `crypto.randomUUID()`: ids the backend applies at most once (top-ups).
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    pub fn random_uuid() -> String;
}
