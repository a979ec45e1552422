//! Upwex Credits: the extension's Rust, compiled to WebAssembly and loaded by the service
//! worker and the extension pages (never by content scripts: a page's CSP can forbid WASM
//! there, see NOTES.md). A thin shell around `credits-core`: bindings and I/O only; every
//! credit and recognition decision is the core's.
//!
//! | file | job |
//! | --- | --- |
//! | `lib.rs` | the `wasm_bindgen` entry points, nothing else |
//! | `chrome.rs` | the `chrome.*` APIs used |
//! | `js.rs` | serde to and from plain JS objects (serde-wasm-bindgen), clock, randomness |
//! | `messages.rs` | the message protocol (direction-named, one enum per direction) |
//! | `store.rs` | the persisted state in `chrome.storage.local` |
//! | `http.rs` | the backend client |
//! | `worker/` | the service worker: state, handlers, sync, broadcast |
//! | `options.rs` | the options page's checks |
//! | `popup/` | the popup's view model (pure: state, cards, history, members, insights, chart), built in the worker |

mod chrome;
mod http;
mod js;
mod messages;
mod options;
pub mod popup;
mod store;
mod worker;

use wasm_bindgen::prelude::*;

// SAFETY: the extension's WASM runs single-threaded (a service worker or a page, no
// shared memory), which is what `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The crate version, so every JS side can prove the WASM module is loaded.
#[wasm_bindgen]
pub fn version() -> String {
    VERSION.to_owned()
}

/// Service worker: load the state and start syncing. The loader awaits this once per
/// worker life before handing any event over.
#[wasm_bindgen]
pub async fn worker_start() -> Result<(), JsValue> {
    worker::start().await
}

/// Service worker: one `content:*` or `page:*` message; resolves to the reply.
#[wasm_bindgen]
pub async fn worker_message(message: JsValue, sender: JsValue) -> JsValue {
    worker::on_message(message, sender).await
}

/// Service worker: a `chrome.alarms` alarm by name.
#[wasm_bindgen]
pub async fn worker_alarm(name: String) {
    worker::on_alarm(name).await;
}

/// Options page: the form's values checked, as `{settings, origin}` or `{refused}` (a message).
#[wasm_bindgen]
pub fn check_settings(backend_url: &str, api_token: &str, low_threshold: &str, confirm_regenerate: bool, show_badge: bool, notify: bool) -> JsValue {
    options::check(backend_url, api_token, low_threshold, confirm_regenerate, show_badge, notify)
}
