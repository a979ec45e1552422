//! The batch judge on raw bytes (what `POST /v1/usage` reads), then the ledger deciding the
//! judged batch: never a panic; a taken batch has 1..=500 events with distinct keys, a
//! valid event echoes its id as sent and keys on that UUID; one verdict per event; the
//! ledger never goes negative, charges only applied events and never past the member's
//! budget (its length picks one, 0 to 19 credits).

#![no_main]

use chrono::{DateTime, Utc};
use credits_core::budget::MemberSpend;
use credits_core::batch::{Judged, MAX_BATCH_EVENTS, Verdict, decide_batch, judge_batch};
use credits_core::{CreditConfig, Ledger, Plan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(judged) = judge_batch(data) else { return };
    assert!((1..=MAX_BATCH_EVENTS).contains(&judged.len()));
    let mut keys = std::collections::HashSet::new();
    for j in &judged {
        if let Some(k) = j.key() {
            assert!(keys.insert(k), "a key twice in a taken batch");
        }
        if let Judged::Valid { event, sent } = j {
            assert_eq!(uuid::Uuid::try_parse(sent).ok(), Some(event.id));
            assert_eq!(j.echo().as_deref(), Some(sent.as_str()));
        }
    }
    let cfg = CreditConfig::default();
    let now: DateTime<Utc> = DateTime::from_timestamp_millis(1_780_000_000_000).unwrap();
    let mut ledger = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
    let before = ledger.balance(now, &cfg);
    let budget = (data.len() % 20) as u64;
    let mut member = MemberSpend { used: 0, budget: Some(budget) };
    let verdicts = decide_batch(&mut ledger, &mut member, &judged, |_| None, now, &cfg);
    assert_eq!(verdicts.len(), judged.len());
    let charged: u64 = verdicts.iter().map(|v| if let Verdict::Applied(c) = v { c.credits } else { 0 }).sum();
    let after = ledger.balance(now, &cfg);
    assert_eq!(after.used, before.used + charged);
    assert!(after.used <= before.spendable, "charged beyond what was spendable");
    assert!(charged <= budget && member.used == charged, "charged past the member's budget");
    for (j, v) in judged.iter().zip(&verdicts) {
        if matches!(j, Judged::Invalid { .. }) {
            assert!(!matches!(v, Verdict::Applied(_)), "an invalid event was charged");
        }
        assert_eq!(v.result(j).id, j.echo());
    }
});
