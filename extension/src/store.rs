//! The persisted state in `chrome.storage.local`, under four keys: `settings`
//! ([`Settings`]), `outbox` ([`Outbox`]), `rules` ([`StoredRules`]) and `popup` (the
//! popup's last known figures, kept by `worker::credits`). Values are plain JS
//! objects (written and read by serde-wasm-bindgen). Anything missing or
//! unreadable falls back to its default
//! (and for rules, to the shipped ones): a corrupt entry never stops the extension.

pub use credits_core::client::StoredRules;
use credits_core::client::{Outbox, Settings};
use wasm_bindgen::JsValue;

use crate::chrome;
use crate::js::{from_js, to_js};

const SETTINGS: &str = "settings";
const OUTBOX: &str = "outbox";
const RULES: &str = "rules";
pub const POPUP: &str = "popup";

/// Everything persisted, as loaded.
pub struct Loaded {
    pub settings: Settings,
    pub outbox: Outbox,
    pub rules: StoredRules,
    /// As stored (read by `worker::credits`); undefined when nothing is.
    pub popup: JsValue,
}

pub async fn load() -> Result<Loaded, JsValue> {
    let keys: js_sys::Array = [SETTINGS, OUTBOX, RULES, POPUP].iter().map(|k| JsValue::from_str(k)).collect();
    let all = chrome::storage_get(&keys.into()).await?;
    let get = |key: &str| js_sys::Reflect::get(&all, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let settings = get(SETTINGS).and_then(|v| from_js(&v).ok()).unwrap_or_default();
    let outbox = get(OUTBOX).and_then(|v| from_js(&v).ok()).unwrap_or_default();
    let rules = get(RULES).and_then(|v| from_js::<StoredRules>(&v).ok()).filter(|r| r.rules.validate().is_ok()).unwrap_or_else(StoredRules::shipped);
    let popup = get(POPUP).unwrap_or_default();
    Ok(Loaded { settings, outbox, rules, popup })
}

/// One key's value, serialized at the moment it is taken: the service worker takes it while
/// it holds the state, then writes it (the write is asynchronous, the snapshot is not).
pub struct Entry(&'static str, JsValue);

impl Entry {
    pub fn new(key: &'static str, value: JsValue) -> Entry {
        Entry(key, value)
    }
}

pub fn outbox_entry(outbox: &Outbox) -> Result<Entry, JsValue> {
    Ok(Entry(OUTBOX, to_js(outbox)?))
}

pub fn settings_entry(settings: &Settings) -> Result<Entry, JsValue> {
    Ok(Entry(SETTINGS, to_js(settings)?))
}

pub fn rules_entry(rules: &StoredRules) -> Result<Entry, JsValue> {
    Ok(Entry(RULES, to_js(rules)?))
}

/// Writes entries in one `chrome.storage.local.set` (one write, all or nothing). Writes
/// are applied in call order, so the newest snapshot is the one that stays.
pub async fn write(entries: Vec<Entry>) -> Result<(), JsValue> {
    let items = js_sys::Object::new();
    for Entry(key, value) in entries {
        js_sys::Reflect::set(&items, &key.into(), &value)?;
    }
    chrome::storage_set(&items).await.map(drop)
}
