//! Alerts: the lines a team's balance can cross, noticed by the ledger from the balance before
//! and after a charge, each at most once per cycle (per member for budgets), and the
//! webhook retry schedule. Pure: the backend stores what fired in the charge's transaction.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::api::{Balance, MemberBudget};
use crate::budget::MemberSpend;
use crate::cycle::Timestamp;
use crate::refusal::{ErrorCode, Refusal};

/// A line a team crossed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertKind {
    /// The balance went low (at or under the team's low threshold).
    #[serde(rename = "credits.low")]
    Low,
    /// The monthly pool is empty and Extra Credits started paying.
    #[serde(rename = "credits.monthly_exhausted")]
    MonthlyExhausted,
    /// Nothing is left to spend.
    #[serde(rename = "credits.depleted")]
    Depleted,
    /// A member's budget for this cycle is used up.
    #[serde(rename = "member.budget_exhausted")]
    MemberBudgetExhausted,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [AlertKind::Low, AlertKind::MonthlyExhausted, AlertKind::Depleted, AlertKind::MemberBudgetExhausted];

    /// The webhook `type`.
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Low => "credits.low",
            AlertKind::MonthlyExhausted => "credits.monthly_exhausted",
            AlertKind::Depleted => "credits.depleted",
            AlertKind::MemberBudgetExhausted => "member.budget_exhausted",
        }
    }

    pub fn from_code(code: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether it concerns one member (fired once per member per cycle).
    pub fn per_member(self) -> bool {
        self == AlertKind::MemberBudgetExhausted
    }
}

/// The lines crossed between `before` and `after` one batch of charges (both at the same
/// moment, so in the same cycle). `extra_paid` says whether Extra Credits paid any charge.
/// A line that was already crossed before the batch is not crossed again.
pub fn crossed(before: &Balance, after: &Balance, extra_paid: bool, member_before: &MemberSpend, member_after: &MemberSpend) -> Vec<AlertKind> {
    let mut out = Vec::new();
    if !before.low && after.low {
        out.push(AlertKind::Low);
    }
    if extra_paid && after.remaining == 0 {
        out.push(AlertKind::MonthlyExhausted);
    }
    if before.spendable > 0 && after.spendable == 0 {
        out.push(AlertKind::Depleted);
    }
    if !member_before.exhausted() && member_after.exhausted() {
        out.push(AlertKind::MemberBudgetExhausted);
    }
    out
}

/// What was crossed and has not fired yet this cycle (`fired`: the kinds already fired for
/// this team, and for this member where it applies).
pub fn to_fire(crossed: &[AlertKind], fired: &[AlertKind]) -> Vec<AlertKind> {
    crossed.iter().copied().filter(|k| !fired.contains(k)).collect()
}

/// The webhook body's `data`: the balance, and the member where it applies.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertData {
    pub balance: Balance,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<AlertMember>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertMember {
    pub member_id: String,
    pub name: String,
    #[serde(flatten)]
    pub budget: MemberBudget,
}

/// A webhook body: `{"id", "type", "team_id", "created_at", "data"}`. The same `id` on every
/// attempt, so a receiver can deduplicate.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AlertKind,
    pub team_id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub data: AlertData,
}

/// Deliveries are retried for this long after the alert (the issue asks at least 24 hours).
pub const RETRY_FOR_HOURS: i64 = 25;
const FIRST_RETRY_SECONDS: i64 = 5;
const LONGEST_WAIT_SECONDS: i64 = 3600;

/// When to try a delivery again after `attempts` failed attempts (1 after the first), or
/// `None` once the retry window is over. Exponential backoff (5 s, 10 s, 20 s, ... capped at
/// an hour) with jitter: `jitter` in 0..1 (the caller's random number) picks a wait between
/// half and all of the step, so receivers coming back are not hit by every sender at once.
pub fn next_attempt(created_at: Timestamp, attempts: u32, now: Timestamp, jitter: f64) -> Option<Timestamp> {
    let step = FIRST_RETRY_SECONDS.saturating_mul(1i64 << attempts.saturating_sub(1).min(20)).min(LONGEST_WAIT_SECONDS);
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
    let wait_ms = (step * 1000) / 2 + ((step * 500) as f64 * jitter) as i64;
    let at = now + Duration::milliseconds(wait_ms);
    (at <= created_at + Duration::hours(RETRY_FOR_HOURS)).then_some(at)
}

/// A webhook URL: https anywhere, plain http only on loopback (a receiver on this machine),
/// since each body tells a team's balance. No credentials in it.
pub fn check_webhook_url(url: &str) -> Result<String, Refusal> {
    let bad = |why: &str| Refusal::new(ErrorCode::InvalidWebhookUrl, format!("{why}: {url:?}"));
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("a webhook URL must start with https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.len() > 2000 {
        return Err(bad("a webhook URL has no credentials, spaces or control characters"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, _)| h).ok_or_else(|| bad("not a URL"))?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() {
        return Err(bad("a webhook URL needs a host"));
    }
    let loopback = host.eq_ignore_ascii_case("localhost") || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if loopback => Ok(url.to_owned()),
        "http" => Err(bad("plain http is only for a receiver on this machine (127.0.0.1, ::1 or localhost); use https")),
        _ => Err(bad("a webhook URL must start with https://")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn bal(remaining: u64, extra: u64, low: bool) -> Balance {
        Balance {
            remaining,
            used: 0,
            total: 100,
            extra,
            spendable: remaining + extra,
            resets_at: None,
            plan: Plan::Lite,
            seats: 1,
            low,
            cycle_start: t("2026-11-01T00:00:00Z"),
        }
    }

    const NONE: MemberSpend = MemberSpend { used: 0, budget: None };

    #[test]
    fn each_line_fires_only_when_crossed() {
        assert_eq!(crossed(&bal(11, 0, false), &bal(10, 0, true), false, &NONE, &NONE), [AlertKind::Low]);
        assert!(crossed(&bal(10, 0, true), &bal(9, 0, true), false, &NONE, &NONE).is_empty(), "already low: not again");
        assert_eq!(crossed(&bal(1, 5, true), &bal(0, 4, true), true, &NONE, &NONE), [AlertKind::MonthlyExhausted]);
        assert!(crossed(&bal(1, 5, true), &bal(0, 5, true), false, &NONE, &NONE).is_empty(), "no Extra spent yet");
        assert_eq!(crossed(&bal(0, 1, true), &bal(0, 0, true), true, &NONE, &NONE), [AlertKind::MonthlyExhausted, AlertKind::Depleted]);
        assert!(crossed(&bal(0, 0, true), &bal(0, 0, true), false, &NONE, &NONE).is_empty(), "a refused request crosses nothing");
        let all = crossed(
            &bal(20, 1, false),
            &bal(0, 0, true),
            true,
            &MemberSpend { used: 0, budget: Some(21) },
            &MemberSpend { used: 21, budget: Some(21) },
        );
        assert_eq!(all, AlertKind::ALL);
        let b = bal(50, 0, false);
        let over = MemberSpend { used: 5, budget: Some(5) };
        assert!(crossed(&b, &b, false, &over, &MemberSpend { used: 5, budget: Some(5) }).is_empty(), "already used up");
    }

    #[test]
    fn webhook_urls_are_https_or_loopback_http() {
        for ok in ["https://hooks.example.com/upwex", "http://127.0.0.1:9000/hook", "http://localhost/x", "http://[::1]:8080/", "https://a.b"] {
            assert_eq!(check_webhook_url(ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "http://hooks.example.com/x",
            "ftp://a.b",
            "hooks.example.com",
            "https://",
            "https://u:p@a.b/",
            "https://a.b/ x",
            "http://127.0.0.1.evil.com/",
        ] {
            assert_eq!(check_webhook_url(bad).unwrap_err().code, ErrorCode::InvalidWebhookUrl, "{bad}");
        }
    }

    #[test]
    fn once_per_cycle() {
        let crossed = [AlertKind::Low, AlertKind::Depleted];
        assert_eq!(to_fire(&crossed, &[AlertKind::Low]), [AlertKind::Depleted]);
        assert!(to_fire(&crossed, &crossed).is_empty());
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for k in AlertKind::ALL {
            assert_eq!(AlertKind::from_code(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
        assert!(AlertKind::MemberBudgetExhausted.per_member() && !AlertKind::Low.per_member());
    }

    #[test]
    fn retries_back_off_with_jitter_for_at_least_a_day() {
        let created = t("2026-11-06T00:00:00Z");
        let secs = |attempts, jitter| (next_attempt(created, attempts, created, jitter).unwrap() - created).num_milliseconds();
        assert_eq!((secs(1, 0.0), secs(1, 1.0)), (2_500, 5_000));
        assert_eq!((secs(2, 0.0), secs(3, 0.0), secs(4, 0.0)), (5_000, 10_000, 20_000));
        assert_eq!(secs(40, 1.0), 3_600_000, "capped at an hour");
        assert_eq!(secs(1, f64::NAN), 2_500);
        // Failing at every attempt: the schedule keeps going past 24 hours, then stops.
        let (mut now, mut attempts) = (created, 1);
        while let Some(at) = next_attempt(created, attempts, now, 0.5) {
            now = at;
            attempts += 1;
        }
        assert!(now >= created + Duration::hours(24) && now <= created + Duration::hours(RETRY_FOR_HOURS), "{now}");
        assert!(attempts > 20, "{attempts}");
    }
}
