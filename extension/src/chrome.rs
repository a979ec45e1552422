//! The `chrome.*` extension APIs this crate calls, bound directly (the promise-returning
//! MV3 forms). Nothing else here: what to call them with is decided elsewhere.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // chrome.storage.local: the durable state (store.rs).
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    pub async fn storage_get(keys: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    pub async fn storage_set(items: &JsValue) -> Result<JsValue, JsValue>;

    // chrome.runtime: messages to the extension's pages; the extension's own URLs.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    pub async fn runtime_send_message(message: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    pub fn runtime_get_url(path: &str) -> String;

    // chrome.tabs: no "tabs" permission needed, the Upwork host permission covers the query.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = query)]
    pub async fn tabs_query(query: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = sendMessage)]
    pub async fn tabs_send_message(tab_id: i32, message: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = create)]
    pub async fn tabs_create(properties: &JsValue) -> Result<JsValue, JsValue>;

    // chrome.alarms: the periodic sync and the one-shot retry at the backoff moment.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = create)]
    pub async fn alarms_create(name: &str, info: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = get)]
    pub async fn alarms_get(name: &str) -> Result<JsValue, JsValue>;

    // chrome.action: the toolbar icon's badge.
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeText)]
    pub async fn action_set_badge_text(details: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor)]
    pub async fn action_set_badge_background_color(details: &JsValue) -> Result<JsValue, JsValue>;

    // chrome.notifications and the words they say (worker/notify.rs).
    // Not awaited (nothing to do on failure): no future to drive, a smaller WASM.
    #[wasm_bindgen(js_namespace = ["chrome", "notifications"], js_name = create)]
    pub fn notifications_create(id: &str, options: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
    pub fn i18n_get_message(key: &str) -> String;
    // The same with substitutions (the content script's templates, worker/content.rs).
    #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
    pub fn i18n_get_message_with(key: &str, substitutions: &js_sys::Array) -> String;
}
