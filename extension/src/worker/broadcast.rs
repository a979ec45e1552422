//! The last step of the data's one direction: after any change of the balance, the outbox,
//! the settings or the rules, every Upwork tab and every open extension page gets
//! `worker:refresh` with the new [`View`] (tabs redraw the badge and describe their controls
//! again, so directives follow: blocked flips when the pool empties or is topped up), and
//! the toolbar icon's badge is redrawn.

use credits_core::client::{Reset, Tone, View};
use credits_core::Timestamp;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use super::State;
use crate::chrome;
use crate::js::{object, to_js};
use crate::messages::refresh;

/// Tabs that may run the content script (the manifest's match pattern).
const UPWORK_TABS: &str = "https://www.upwork.com/*";

/// What every badge shows now.
pub fn view(s: &State) -> View {
    s.view()
}

/// The view as content scripts get it (the `content:hello` and `content:click` replies,
/// `worker:refresh`): the core's, with `badge.reset_text`, its reset instant formatted
/// here in the browser's locale and time zone ("Jan 1"; a trial's daily refill "3:00 PM").
/// A page's first `Intl` date format loads ICU's date data, 13-44 ms of that page's main
/// thread (measured); the worker pays it once per start instead of every tab and frame.
pub fn content_view(s: &State) -> Result<JsValue, JsValue> {
    let view = view(s);
    let js = to_js(&view)?;
    if let (Some(reset), Some(at)) = (view.badge.reset, view.badge.reset_at) {
        let badge = Reflect::get(&js, &"badge".into())?;
        Reflect::set(&badge, &"reset_text".into(), &reset_text(reset, at))?;
    }
    Ok(js)
}

fn reset_text(reset: Reset, at: Timestamp) -> JsValue {
    let options = match reset {
        Reset::Cycle | Reset::TrialOver => object(&[("month", "short".into()), ("day", "numeric".into())]),
        Reset::Daily => object(&[("hour", "numeric".into()), ("minute", "2-digit".into())]),
    };
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options.into()).format();
    let date = js_sys::Date::new(&(at.timestamp_millis() as f64).into());
    format.call1(&JsValue::UNDEFINED, &date).unwrap_or(JsValue::NULL)
}

/// Sends `worker:refresh` everywhere and redraws the toolbar, without waiting.
pub fn changed() {
    spawn_local(async {
        let message = super::with(|s| content_view(s).map(refresh));
        let Ok(message) = message else { return };
        toolbar().await;
        to_tabs(&message).await;
        // Extension pages (popup, options); nobody listening is not an error.
        let _ = chrome::runtime_send_message(&message).await;
    });
}

async fn to_tabs(message: &JsValue) {
    let Ok(tabs) = chrome::tabs_query(&object(&[("url", UPWORK_TABS.into())])).await else { return };
    let tabs = js_sys::Array::from(&tabs);
    let ids = tabs.iter().filter_map(|t| js_sys::Reflect::get(&t, &"id".into()).ok()?.as_f64());
    for id in ids.map(|id| id as i32) {
        let message = message.clone();
        // One tab still loading (no content script yet) must not hold up the others.
        spawn_local(async move {
            let _ = chrome::tabs_send_message(id, &message).await;
        });
    }
}

pub fn tone_colour(tone: Tone) -> &'static str {
    match tone {
        Tone::Green => "#14a800",
        Tone::Amber => "#c77700",
        Tone::Red => "#d3232f",
        Tone::Unknown => "#8d8d8d",
    }
}

/// The toolbar icon's badge: the spendable number in the tone's colour.
pub async fn toolbar() {
    let badge = super::with(|s| view(s).badge);
    let _ = chrome::action_set_badge_text(&object(&[("text", badge.toolbar.as_str().into())])).await;
    let _ = chrome::action_set_badge_background_color(&object(&[("color", tone_colour(badge.tone).into())])).await;
}
