//! Upwex Credits: the extension's Rust, compiled to WebAssembly and loaded by the
//! service worker and the extension pages (never by content scripts: see NOTES.md).

use wasm_bindgen::prelude::*;

/// The crate version, so every JS side can prove the WASM module is loaded.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
