//! What the worker stores in `chrome.storage.local` (written by serde, `crate::store`). The
//! `Outbox` and `Settings` are `#[serde(default)]`: a missing field takes its default, but a
//! present one must be readable, or the whole value is refused (and the store falls back to
//! the default), as serde did.

use credits_core::api::{Reason, UsageEvent};
use credits_core::client::{Backend, KnownBalance, Outbox, RejectedEvent, Settings, SyncError, SyncErrorKind};

use super::api::{balance, rules};
use super::{Json, list, optional, string, time, timestamp, whole_of};
use crate::store::StoredRules;

/// A `#[serde(default)]` field: missing or null is the default.
fn or_default<J: Json, T: Default>(v: &J, key: &str, read: fn(&J) -> Option<T>) -> Option<T> {
    optional(v, key, read).map(Option::unwrap_or_default)
}

fn event<J: Json>(e: &J) -> Option<UsageEvent> {
    Some(UsageEvent {
        id: uuid::Uuid::parse_str(&string(e, "id")?).ok()?,
        action: credits_core::Action::from_code(&string(e, "action")?)?,
        regenerate: or_default(e, "regenerate", J::boolean)?,
        job_id: optional(e, "job_id", J::string)?,
        occurred_at: time(e, "occurred_at")?,
    })
}

fn sync_error<J: Json>(e: &J) -> Option<SyncError> {
    let kind = match string(e, "kind")?.as_str() {
        "network" => SyncErrorKind::Network,
        "unauthorized" => SyncErrorKind::Unauthorized,
        "backend" => SyncErrorKind::Backend,
        _ => return None,
    };
    Some(SyncError { kind, message: string(e, "message")?, at: time(e, "at")? })
}

/// The stored outbox.
pub fn outbox<J: Json>(v: &J) -> Option<Outbox> {
    v.entries()?;
    Some(Outbox {
        pending: or_default(v, "pending", |p| list(p, event))?,
        rejected: or_default(v, "rejected", |r| {
            list(r, |r| {
                Some(RejectedEvent {
                    event: event(&r.get("event"))?,
                    reason: Reason::from_code(&string(r, "reason")?)?,
                    answered_at: time(r, "answered_at")?,
                })
            })
        })?,
        rejected_unseen: or_default(v, "rejected_unseen", |n| whole_of(n).and_then(|n| u32::try_from(n).ok()))?,
        failures: or_default(v, "failures", |n| whole_of(n).and_then(|n| u32::try_from(n).ok()))?,
        next_attempt_at: optional(v, "next_attempt_at", timestamp)?,
        last_error: optional(v, "last_error", sync_error)?,
        balance: optional(v, "balance", |b| Some(KnownBalance { balance: balance(&b.get("balance"))?, at: time(b, "at")? }))?,
        job_credits: or_default(v, "job_credits", |m| {
            let mut counts = std::collections::BTreeMap::new();
            for (job, n) in m.entries()? {
                counts.insert(job, whole_of(&n)?);
            }
            Some(counts)
        })?,
        job_cycle: optional(v, "job_cycle", timestamp)?,
    })
}

/// The stored settings (also `page:settings-save`'s, checked by the options page).
pub fn settings<J: Json>(v: &J) -> Option<Settings> {
    v.entries()?;
    let defaults = Settings::default();
    Some(Settings {
        backend: optional(v, "backend", |b| Some(Backend { url: string(b, "url")?, token: string(b, "token")? }))?,
        low_threshold: optional(v, "low_threshold", whole_of)?,
        confirm_regenerate: optional(v, "confirm_regenerate", J::boolean)?.unwrap_or(defaults.confirm_regenerate),
        show_badge: optional(v, "show_badge", J::boolean)?.unwrap_or(defaults.show_badge),
    })
}

/// The stored rules and their ETag.
pub fn stored_rules<J: Json>(v: &J) -> Option<StoredRules> {
    Some(StoredRules { rules: rules(&v.get("rules"))?, etag: optional(v, "etag", J::string)?, checked_at: optional(v, "checked_at", timestamp)? })
}
