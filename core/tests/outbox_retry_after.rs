//! The outbox honours a backend's `Retry-After` (429, 503): the next try waits at least
//! that long, never less than its own backoff, and nothing leaves the outbox.

use chrono::{DateTime, Duration, Utc};
use credits_core::Action;
use credits_core::api::UsageEvent;
use credits_core::client::{Outbox, SyncErrorKind, backoff};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-06T10:00:00Z").unwrap().to_utc()
}

fn outbox() -> Outbox {
    let mut o = Outbox::default();
    o.record(UsageEvent { id: uuid::Uuid::from_u128(1), action: Action::Answer, regenerate: false, job_id: None, occurred_at: t0() });
    o
}

#[test]
fn a_longer_retry_after_postpones_the_next_batch() {
    let now = t0();
    let mut o = outbox();
    o.failed_after(SyncErrorKind::Backend, "429", now, 0.0, Some(Duration::seconds(120)));
    assert_eq!(o.due_at(), Some(Some(now + Duration::seconds(120))));
    assert!(o.batch(now + Duration::seconds(119)).is_none());
    assert_eq!(o.batch(now + Duration::seconds(120)).unwrap().events.len(), 1, "nothing was lost");
}

#[test]
fn a_shorter_retry_after_keeps_the_backoff_and_none_is_plain_failed() {
    let now = t0();
    let mut a = outbox();
    let mut b = outbox();
    for n in 1..=4 {
        a.failed_after(SyncErrorKind::Backend, "503", now, 0.5, Some(Duration::milliseconds(1)));
        b.failed(SyncErrorKind::Backend, "503", now, 0.5);
        assert_eq!(a.due_at(), Some(Some(now + backoff(n, 0.5))));
        assert_eq!(a, b);
    }
    let mut c = outbox();
    c.failed_after(SyncErrorKind::Backend, "503", now, 0.5, None);
    let mut d = outbox();
    d.failed(SyncErrorKind::Backend, "503", now, 0.5);
    assert_eq!(c, d);
}
