//! Billing cycles. Every boundary is computed from the anchor, never from the previous
//! boundary, so a clamped month (Jan 31 -> Feb 28) never drags later cycles off the anchor's day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::{CreditConfig, Plan};

/// An instant, always UTC.
pub type Timestamp = DateTime<Utc>;

/// One cycle: `[start, end)`. `end` is when the allowance refills (`resets_at`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    /// 0 for the cycle that starts at the anchor.
    pub index: u32,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub start: Timestamp,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub end: Timestamp,
}

impl Cycle {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }
}

/// The start of monthly cycle `k`: the anchor's day of month (clamped to the month's last
/// day) at the anchor's time, `k` months after the anchor.
pub fn monthly_boundary(anchor: Timestamp, k: u32) -> Timestamp {
    let months = anchor.month0() as i64 + i64::from(k);
    let year = anchor.year() + (months / 12) as i32;
    let month = (months % 12) as u32 + 1;
    let day = anchor.day().min(days_in_month(year, month));
    let date = NaiveDate::from_ymd_opt(year, month, day).expect("clamped day is valid");
    Utc.from_utc_datetime(&date.and_time(anchor.time()))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let first_next = NaiveDate::from_ymd_opt(ny, nm, 1).expect("valid month");
    first_next.pred_opt().expect("has a previous day").day()
}

/// The trial's daily boundary `k` days after the anchor.
fn daily_boundary(anchor: Timestamp, k: u32) -> Timestamp {
    anchor + Duration::days(i64::from(k))
}

/// When the trial ends for good (its last daily cycle's end).
pub fn trial_end(anchor: Timestamp, cfg: &CreditConfig) -> Timestamp {
    daily_boundary(anchor, cfg.trial_days)
}

/// The cycle of `plan` anchored at `anchor` that contains `now`. `None` once a trial is over:
/// no allowance and no reset until a paid plan is set. An instant before the anchor belongs
/// to the first cycle (a clock that stepped back a little must not lose the cycle).
pub fn cycle_at(plan: Plan, anchor: Timestamp, now: Timestamp, cfg: &CreditConfig) -> Option<Cycle> {
    let now = now.max(anchor);
    match plan {
        Plan::Trial => {
            let k = ((now - anchor).num_seconds() / 86_400) as u64;
            if k >= u64::from(cfg.trial_days) {
                return None;
            }
            let k = k as u32;
            Some(Cycle { index: k, start: daily_boundary(anchor, k), end: daily_boundary(anchor, k + 1) })
        }
        _ => {
            let diff = (now.year() - anchor.year()) as i64 * 12 + now.month0() as i64 - anchor.month0() as i64;
            let mut k = diff.max(0) as u32;
            if monthly_boundary(anchor, k) > now {
                k -= 1; // diff >= 1 here: boundary 0 is the anchor, and now >= anchor
            }
            Some(Cycle { index: k, start: monthly_boundary(anchor, k), end: monthly_boundary(anchor, k + 1) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn boundaries(anchor: &str, n: u32) -> Vec<String> {
        (0..n).map(|k| monthly_boundary(t(anchor), k).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).collect()
    }

    #[test]
    fn anchor_on_the_31st_clamps_and_returns() {
        assert_eq!(
            boundaries("2027-01-31T10:00:00Z", 6),
            [
                "2027-01-31T10:00:00Z",
                "2027-02-28T10:00:00Z",
                "2027-03-31T10:00:00Z",
                "2027-04-30T10:00:00Z",
                "2027-05-31T10:00:00Z",
                "2027-06-30T10:00:00Z",
            ]
        );
        // Leap year: Feb 29.
        assert_eq!(boundaries("2028-01-31T00:00:00Z", 3)[1], "2028-02-29T00:00:00Z");
    }

    /// A table over several years, leap years included, for anchors on the 28th to the 31st
    /// and at 23:59:59: the boundary is always the anchor's day clamped to the month.
    #[test]
    fn boundary_table_over_years() {
        let cases: &[(&str, &[(u32, &str)])] = &[
            (
                "2026-01-28T23:59:59Z",
                &[(1, "2026-02-28T23:59:59Z"), (2, "2026-03-28T23:59:59Z"), (25, "2028-02-28T23:59:59Z"), (47, "2029-12-28T23:59:59Z")],
            ),
            (
                "2026-01-29T23:59:59Z",
                &[
                    (1, "2026-02-28T23:59:59Z"),
                    (2, "2026-03-29T23:59:59Z"),
                    (25, "2028-02-29T23:59:59Z"),
                    (37, "2029-02-28T23:59:59Z"),
                    (49, "2030-02-28T23:59:59Z"),
                ],
            ),
            (
                "2026-01-30T23:59:59Z",
                &[
                    (1, "2026-02-28T23:59:59Z"),
                    (2, "2026-03-30T23:59:59Z"),
                    (3, "2026-04-30T23:59:59Z"),
                    (25, "2028-02-29T23:59:59Z"),
                    (26, "2028-03-30T23:59:59Z"),
                ],
            ),
            (
                "2026-01-31T23:59:59Z",
                &[
                    (1, "2026-02-28T23:59:59Z"),
                    (2, "2026-03-31T23:59:59Z"),
                    (3, "2026-04-30T23:59:59Z"),
                    (5, "2026-06-30T23:59:59Z"),
                    (6, "2026-07-31T23:59:59Z"),
                    (7, "2026-08-31T23:59:59Z"),
                    (8, "2026-09-30T23:59:59Z"),
                    (11, "2026-12-31T23:59:59Z"),
                    (12, "2027-01-31T23:59:59Z"),
                    (25, "2028-02-29T23:59:59Z"),
                    (73, "2032-02-29T23:59:59Z"),
                    (74, "2032-03-31T23:59:59Z"),
                ],
            ),
            (
                "2028-02-29T00:00:00Z",
                &[(1, "2028-03-29T00:00:00Z"), (12, "2029-02-28T00:00:00Z"), (13, "2029-03-29T00:00:00Z"), (48, "2032-02-29T00:00:00Z")],
            ),
            ("2026-12-31T12:30:00Z", &[(1, "2027-01-31T12:30:00Z"), (2, "2027-02-28T12:30:00Z"), (14, "2028-02-29T12:30:00Z")]),
        ];
        for (anchor, rows) in cases {
            for (k, want) in *rows {
                let got = monthly_boundary(t(anchor), *k).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                assert_eq!(&got, want, "anchor {anchor} cycle {k}");
            }
        }
    }

    #[test]
    fn cycle_at_finds_the_containing_cycle() {
        let cfg = CreditConfig::default();
        let anchor = t("2027-01-31T10:00:00Z");
        let c = cycle_at(Plan::Pro, anchor, t("2027-03-15T00:00:00Z"), &cfg).unwrap();
        assert_eq!((c.index, c.start, c.end), (1, t("2027-02-28T10:00:00Z"), t("2027-03-31T10:00:00Z")));
        // Exactly at a boundary: the new cycle.
        let c = cycle_at(Plan::Pro, anchor, t("2027-03-31T10:00:00Z"), &cfg).unwrap();
        assert_eq!(c.start, t("2027-03-31T10:00:00Z"));
        // One second before it: the old one.
        let c = cycle_at(Plan::Pro, anchor, t("2027-03-31T09:59:59Z"), &cfg).unwrap();
        assert_eq!(c.start, t("2027-02-28T10:00:00Z"));
        // Same day of month but before the anchor's time: still the previous cycle.
        let c = cycle_at(Plan::Lite, anchor, t("2027-05-31T09:00:00Z"), &cfg).unwrap();
        assert_eq!(c.start, t("2027-04-30T10:00:00Z"));
        // Before the anchor: the first cycle.
        let c = cycle_at(Plan::Max, anchor, t("2027-01-01T00:00:00Z"), &cfg).unwrap();
        assert_eq!(c.index, 0);
    }

    #[test]
    fn cycle_at_agrees_with_a_walk_over_boundaries() {
        let cfg = CreditConfig::default();
        for anchor in ["2026-01-28T23:59:59Z", "2026-01-29T00:00:00Z", "2026-03-30T05:00:00Z", "2026-05-31T23:59:59Z"] {
            let anchor = t(anchor);
            let mut now = anchor;
            while now < anchor + Duration::days(365 * 5) {
                let c = cycle_at(Plan::Pro, anchor, now, &cfg).unwrap();
                assert!(c.contains(now), "{now} not in {c:?}");
                assert_eq!(c.start, monthly_boundary(anchor, c.index));
                assert_eq!(c.end, monthly_boundary(anchor, c.index + 1));
                now += Duration::hours(7);
            }
        }
    }

    #[test]
    fn trial_resets_daily_for_fourteen_days_then_ends() {
        let cfg = CreditConfig::default();
        let anchor = t("2026-11-01T08:00:00Z");
        let c = cycle_at(Plan::Trial, anchor, t("2026-11-01T20:00:00Z"), &cfg).unwrap();
        assert_eq!((c.index, c.end), (0, t("2026-11-02T08:00:00Z")));
        let c = cycle_at(Plan::Trial, anchor, t("2026-11-14T07:59:59Z"), &cfg).unwrap();
        assert_eq!((c.index, c.end), (12, t("2026-11-14T08:00:00Z")));
        let c = cycle_at(Plan::Trial, anchor, t("2026-11-15T07:59:59Z"), &cfg).unwrap();
        assert_eq!((c.index, c.end), (13, t("2026-11-15T08:00:00Z")));
        assert_eq!(trial_end(anchor, &cfg), t("2026-11-15T08:00:00Z"));
        assert_eq!(cycle_at(Plan::Trial, anchor, t("2026-11-15T08:00:00Z"), &cfg), None);
    }
}
