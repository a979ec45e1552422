//! The popup's [`Text`] in the service worker: `chrome.i18n.getMessage` for words, and
//! `Number`/`Date` `toLocale*String` for figures and dates, in the browser's locale and
//! time zone (the e2e tests compute the expected strings with the same calls).

use credits_core::Timestamp;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::js::object;
use crate::popup::text::Text;

#[wasm_bindgen]
extern "C" {
    /// A JS `Date`, with the locale methods taking `undefined` for the locale (js-sys's
    /// bindings take a locale string, and "" is not one).
    #[wasm_bindgen(js_name = Date)]
    type LocalDate;
    #[wasm_bindgen(constructor, js_class = "Date")]
    fn new(ms: f64) -> LocalDate;
    #[wasm_bindgen(method, js_class = "Date", js_name = toLocaleDateString)]
    fn to_locale_date_string(this: &LocalDate, locales: &JsValue, options: &JsValue) -> String;
    #[wasm_bindgen(method, js_class = "Date", js_name = toLocaleString)]
    fn to_locale_string(this: &LocalDate, locales: &JsValue, options: &JsValue) -> String;
    /// A JS number, for `Number.prototype.toLocaleString()`.
    type LocalNumber;
    #[wasm_bindgen(method, js_name = toLocaleString)]
    fn to_locale_string(this: &LocalNumber) -> String;
}

pub struct Browser;

fn date(t: Timestamp) -> LocalDate {
    LocalDate::new(t.timestamp_millis() as f64)
}

/// `{month: 'short', day: 'numeric'}`, and the extra fields given.
fn day_options(extra: &[(&str, JsValue)]) -> JsValue {
    let mut fields = vec![("month", "short".into()), ("day", "numeric".into())];
    fields.extend_from_slice(extra);
    object(&fields)
}

impl Text for Browser {
    fn msg(&self, key: &str, subs: &[&str]) -> String {
        let subs: js_sys::Array = subs.iter().map(|s| JsValue::from_str(s)).collect();
        let text = chrome::i18n_get_message(key, &subs);
        // A missing message shows its key rather than nothing (a unit test keeps them all).
        if text.is_empty() { key.to_owned() } else { text }
    }

    fn number(&self, n: u64) -> String {
        JsValue::from_f64(n as f64).unchecked_into::<LocalNumber>().to_locale_string()
    }

    /// "Nov 28": `toLocaleDateString(undefined, {month: 'short', day: 'numeric'})`.
    fn date(&self, t: Timestamp) -> String {
        date(t).to_locale_date_string(&JsValue::UNDEFINED, &day_options(&[]))
    }

    /// "Nov 24, 10:32 AM": `toLocaleString(undefined, {month: 'short', day: 'numeric',
    /// hour: 'numeric', minute: '2-digit'})`.
    fn date_time(&self, t: Timestamp) -> String {
        let options = day_options(&[("hour", "numeric".into()), ("minute", "2-digit".into())]);
        date(t).to_locale_string(&JsValue::UNDEFINED, &options)
    }

    /// A UTC day of the insights' series, shown as that day (`timeZone: 'UTC'`).
    fn day(&self, day: &str) -> String {
        // Noon UTC of that day, by the RFC 3339 parser the core's timestamps use anyway.
        match format!("{day}T12:00:00Z").parse::<Timestamp>().ok() {
            Some(at) => date(at).to_locale_date_string(&JsValue::UNDEFINED, &day_options(&[("timeZone", "UTC".into())])),
            None => day.to_owned(),
        }
    }
}
