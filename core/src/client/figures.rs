//! The popup's own figures (`/v1/me`, members, insights, the first page of usage), cached by
//! the worker: when to fetch them again, and a top-up's id when its answer was lost.

use super::outbox::SyncErrorKind;
use crate::cycle::Timestamp;

/// Whether the cached figures must be fetched again: they belong to another backend
/// (`cached_url` is not `url`), `me` is unknown, one of them is missing, or a sync has learnt
/// a balance newer than the oldest of them (`ages`, when each was learnt).
pub fn figures_stale(cached_url: Option<&str>, url: &str, me_known: bool, ages: &[Option<Timestamp>], balance_at: Option<Timestamp>) -> bool {
    let oldest = ages.iter().copied().min().flatten(); // a missing one (None) is the oldest
    cached_url != Some(url) || !me_known || oldest.is_none_or(|at| balance_at.is_some_and(|b| b > at))
}

/// A top-up sent whose answer never came: the same pack again reuses its id, so the
/// backend records it at most once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopUpAttempt(Option<(String, u64)>);

impl TopUpAttempt {
    /// The id to send for `pack`: the unanswered attempt's for the same pack, else a new one.
    pub fn id_for(&mut self, pack: u64, new_id: impl FnOnce() -> String) -> String {
        match &self.0 {
            Some((id, p)) if *p == pack => id.clone(),
            _ => {
                let id = new_id();
                self.0 = Some((id.clone(), pack));
                id
            }
        }
    }

    /// The request ended: with `None` (answered) or an error. Any answer makes the next try
    /// new; no answer at all (network) keeps the id for the same pack.
    pub fn ended(&mut self, error: Option<SyncErrorKind>) {
        if error != Some(SyncErrorKind::Network) {
            self.0 = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn figures_are_stale_when_another_backends_missing_or_older_than_the_balance() {
        let t = Utc.with_ymd_and_hms(2026, 11, 6, 10, 0, 0).unwrap();
        let url = "https://credits.example.com";
        let ages = [Some(t), Some(t + Duration::seconds(5)), Some(t)];
        assert!(!figures_stale(Some(url), url, true, &ages, Some(t)));
        assert!(!figures_stale(Some(url), url, true, &ages, None), "no balance known: nothing newer");
        assert!(figures_stale(Some(url), url, true, &ages, Some(t + Duration::seconds(1))), "a newer balance");
        assert!(figures_stale(Some("https://other.example"), url, true, &ages, Some(t)));
        assert!(figures_stale(None, url, true, &ages, Some(t)));
        assert!(figures_stale(Some(url), url, false, &ages, Some(t)), "me unknown");
        assert!(figures_stale(Some(url), url, true, &[Some(t), None, Some(t)], Some(t)), "one missing");
    }

    #[test]
    fn a_lost_top_up_answer_reuses_the_id_for_the_same_pack_only() {
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            format!("id{n}")
        };
        let mut a = TopUpAttempt::default();
        assert_eq!(a.id_for(100, &mut fresh), "id1");
        a.ended(Some(SyncErrorKind::Network));
        assert_eq!(a.id_for(100, &mut fresh), "id1", "no answer: the same id");
        assert_eq!(a.id_for(500, &mut fresh), "id2", "another pack is another top-up");
        a.ended(Some(SyncErrorKind::Backend));
        assert_eq!(a.id_for(500, &mut fresh), "id3", "answered (refused): a new try is new");
        a.ended(None);
        assert_eq!(a.id_for(500, &mut fresh), "id4");
    }
}
