//! The recognizer: candidates (names, containers, neighbours, URL) read from fuzzed JSON,
//! judged by the shipped rules and by fuzzed rules documents that pass validation. Never
//! a panic; normalising a name twice changes nothing; a recognized control is an active
//! button-like control.

#![no_main]

use credits_core::recognition::{Candidate, Rules, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The input is a rules document and a candidate, split at the first NUL.
    let (rules_part, candidate_part) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    if let Ok(text) = std::str::from_utf8(candidate_part) {
        let once = normalize(text);
        assert_eq!(normalize(&once), once, "normalize is idempotent");
    }
    let shipped = Rules::shipped();
    let fuzzed = serde_json::from_slice::<Rules>(rules_part).ok().filter(|r| r.validate().is_ok());
    let Ok(candidate) = serde_json::from_slice::<Candidate>(candidate_part) else { return };
    for rules in std::iter::once(&shipped).chain(fuzzed.as_ref()) {
        if rules.recognize(&candidate).is_ok() {
            assert!(!candidate.disabled && !candidate.busy, "an inactive control was counted");
            assert!(!candidate.containers.is_empty(), "a control outside Upwex was counted");
        }
    }
});
