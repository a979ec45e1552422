//! JSON read field by field into the core's types: the backend's answers and what the
//! worker stored in `chrome.storage.local`. Written by hand instead of serde's derived
//! `Deserialize`: the derive code for the core's types (and a deserializer from JS values)
//! cost ~30 KB of WASM; these readers a fraction of it. They follow serde's JSON shapes
//! exactly (the worker still writes with serde): unit tests read serde_json's output of
//! every type back and compare (`tests.rs`).
//!
//! Readers are generic over [`Json`], so the WASM holds one copy (for `JsValue`) and the
//! native tests use `serde_json::Value`. `None` means "not that type": a required field is
//! missing or of the wrong type, as serde would refuse it.
//!
//! | file | reads |
//! | --- | --- |
//! | `api.rs` | `GET /v1/me`, `/v1/members`, `/v1/usage`, `/v1/insights`, `/v1/balance`, `/v1/rules` |
//! | `stored.rs` | the stored `settings`, `outbox` and `rules` |

mod api;
mod stored;
#[cfg(test)]
mod tests;

pub use api::{balance, insights, me, members, rules, usage};
pub use stored::{outbox, settings, stored_rules};

use credits_core::Timestamp;
use wasm_bindgen::JsValue;

/// A JSON value as the readers see it.
pub trait Json: Sized {
    /// `value[key]` (undefined/missing when it is not an object or has no such key).
    fn get(&self, key: &str) -> Self;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// null, or missing.
    fn is_null(&self) -> bool;
    /// An array's items; `None` when it is not an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// An object's own entries; `None` when it is not a (non-array) object.
    fn entries(&self) -> Option<Vec<(String, Self)>>;
}

impl Json for JsValue {
    fn get(&self, key: &str) -> JsValue {
        crate::js::field(self, key)
    }
    fn string(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_null(&self) -> bool {
        JsValue::is_null(self) || self.is_undefined()
    }
    fn items(&self) -> Option<Vec<JsValue>> {
        js_sys::Array::is_array(self).then(|| crate::js::items(self).collect())
    }
    fn entries(&self) -> Option<Vec<(String, JsValue)>> {
        if !self.is_object() || js_sys::Array::is_array(self) {
            return None;
        }
        let entries = js_sys::Object::entries(wasm_bindgen::JsCast::unchecked_ref(self));
        Some(
            entries
                .iter()
                .map(|e| {
                    (
                        js_sys::Reflect::get_u32(&e, 0).ok().and_then(|k| k.as_string()).unwrap_or_default(),
                        js_sys::Reflect::get_u32(&e, 1).unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }
}

// ---- field readers: `None` when missing or of another type --------------------------------

pub fn string<J: Json>(v: &J, key: &str) -> Option<String> {
    v.get(key).string()
}

pub fn boolean<J: Json>(v: &J, key: &str) -> Option<bool> {
    v.get(key).boolean()
}

pub fn number<J: Json>(v: &J, key: &str) -> Option<f64> {
    v.get(key).number()
}

/// A whole number from 0 that a JSON number holds exactly (serde's u64/u32 would refuse
/// anything else).
pub fn whole<J: Json>(v: &J, key: &str) -> Option<u64> {
    whole_of(&v.get(key))
}

pub fn whole_of<J: Json>(v: &J) -> Option<u64> {
    v.number().filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_991.0).map(|n| n as u64)
}

/// A whole number that fits a u32.
pub fn whole32<J: Json>(v: &J, key: &str) -> Option<u32> {
    whole(v, key).and_then(|n| u32::try_from(n).ok())
}

/// An RFC 3339 timestamp.
pub fn time<J: Json>(v: &J, key: &str) -> Option<Timestamp> {
    string(v, key)?.parse().ok()
}

/// An optional field (`#[serde(default)]` or `Option`): missing or null is `Some(None)`, a
/// present value is read by `read`, and a value `read` refuses is `None`.
pub fn optional<J: Json, T>(v: &J, key: &str, read: fn(&J) -> Option<T>) -> Option<Option<T>> {
    let value = v.get(key);
    if value.is_null() { Some(None) } else { read(&value).map(Some) }
}

/// An array of items read by `read`; `None` if it is not an array or an item is refused.
pub fn list<J: Json, T>(v: &J, read: fn(&J) -> Option<T>) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for item in v.items()? {
        out.push(read(&item)?);
    }
    Some(out)
}

pub fn strings<J: Json>(v: &J) -> Option<Vec<String>> {
    list(v, J::string)
}

pub fn timestamp<J: Json>(v: &J) -> Option<Timestamp> {
    v.string()?.parse().ok()
}
