//! Cycle arithmetic for any anchor and instant: the cycle containing an instant contains
//! it; boundaries strictly increase; the instant just before a boundary is in the cycle
//! that ends there and the boundary itself in the next (every instant in exactly one).

#![no_main]

use chrono::{DateTime, Duration, Utc};
use credits_core::cycle::{cycle_at, monthly_boundary};
use credits_core::{CreditConfig, Plan};
use libfuzzer_sys::fuzz_target;

/// Milliseconds from 1970 to about 2400: far beyond any billing anchor.
const SPAN_MS: u64 = 13_250_000_000_000;

fn instant(bytes: &[u8]) -> DateTime<Utc> {
    let mut raw = [0u8; 8];
    raw[..bytes.len().min(8)].copy_from_slice(&bytes[..bytes.len().min(8)]);
    DateTime::from_timestamp_millis((u64::from_le_bytes(raw) % SPAN_MS) as i64).unwrap()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let plan = [Plan::Trial, Plan::Lite, Plan::Pro, Plan::Max][usize::from(data[0] % 4)];
    let anchor = instant(&data[1..9]);
    let now = instant(&data[9..17]);
    let cfg = CreditConfig::default();
    let Some(cycle) = cycle_at(plan, anchor, now, &cfg) else {
        assert_eq!(plan, Plan::Trial, "only a trial runs out");
        return;
    };
    assert!(cycle.start < cycle.end);
    assert!(cycle.contains(now.max(anchor)));
    let last = cycle.end - Duration::milliseconds(1);
    assert_eq!(cycle_at(plan, anchor, last, &cfg), Some(cycle), "the instant before the boundary is in this cycle");
    if let Some(next) = cycle_at(plan, anchor, cycle.end, &cfg) {
        assert_eq!((next.index, next.start), (cycle.index + 1, cycle.end), "the boundary opens the next cycle");
        assert!(next.end > next.start);
    }
    if plan != Plan::Trial {
        assert_eq!(monthly_boundary(anchor, cycle.index), cycle.start);
        assert!(monthly_boundary(anchor, cycle.index + 1) > cycle.start);
    }
});
