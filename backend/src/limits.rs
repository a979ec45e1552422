//! Request limits per token and per team, so a runaway client (a loop in a script, a
//! broken extension build) cannot starve other teams. Each is a GCRA token bucket from the
//! `governor` crate: a sustained rate with a burst on top. A request over either gets 429
//! with `Retry-After` (when the bucket lets one through again) and is counted in
//! `/metrics`. The state is per process: with several servers, each enforces the limit on
//! the requests it serves (clients spread across N servers may reach N times the rate).

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use credits_core::ErrorCode;
use credits_core::api::ErrorBody;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A sustained rate (requests per minute; 0 means no limit) and the burst allowed on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// The limits a server enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitsConfig {
    pub token: Rate,
    pub team: Rate,
}

impl Default for LimitsConfig {
    /// Far above a real team: an extension syncs every few seconds, a popup reads a few
    /// times; a member's token may sustain 20 requests a second, a team 100.
    fn default() -> Self {
        LimitsConfig { token: Rate { per_minute: 1200, burst: 600 }, team: Rate { per_minute: 6000, burst: 3000 } }
    }
}

impl LimitsConfig {
    /// No limits (the benchmark measures the service itself).
    pub const OFF: LimitsConfig = LimitsConfig { token: Rate { per_minute: 0, burst: 0 }, team: Rate { per_minute: 0, burst: 0 } };
}

/// Which limit a request met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Token,
    Team,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Token => "token",
            Scope::Team => "team",
        }
    }
}

/// A refused request: which limit, and how long until one more is let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub scope: Scope,
    pub retry_after: Duration,
}

impl Limited {
    /// `Retry-After` in whole seconds, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        (self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)).max(1)
    }
}

impl IntoResponse for Limited {
    fn into_response(self) -> Response {
        let secs = self.retry_after_secs();
        let message = format!("too many requests for this {}; retry in {secs} s", self.scope.code());
        let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(ErrorBody::new(ErrorCode::RateLimited, message))).into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        response
    }
}

type Keyed = DefaultKeyedRateLimiter<String>;

/// The limiters of one server.
pub struct Limits {
    token: Option<Keyed>,
    team: Option<Keyed>,
    checks: AtomicU64,
}

/// Forget keys whose buckets are full again every this many checks (bounded memory).
const PRUNE_EVERY: u64 = 10_000;

fn limiter(rate: Rate) -> Option<Keyed> {
    let per_minute = NonZeroU32::new(rate.per_minute)?;
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)))
}

fn check(limiter: &Option<Keyed>, key: &str, scope: Scope) -> Result<(), Limited> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(&key.to_owned()).map_err(|not_until| Limited { scope, retry_after: not_until.wait_time_from(DefaultClock::default().now()) })
}

impl Limits {
    pub fn new(cfg: LimitsConfig) -> Self {
        Limits { token: limiter(cfg.token), team: limiter(cfg.team), checks: AtomicU64::new(0) }
    }

    /// One request with this token (before it is looked up: a flood of unknown tokens is
    /// limited too).
    pub fn check_token(&self, token_hash: &str) -> Result<(), Limited> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            for l in [&self.token, &self.team].into_iter().flatten() {
                l.retain_recent();
            }
        }
        check(&self.token, token_hash, Scope::Token)
    }

    /// One request for this team.
    pub fn check_team(&self, team: &str) -> Result<(), Limited> {
        check(&self.team, team, Scope::Team)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(LimitsConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_passes_then_the_next_waits_about_one_interval() {
        let limits = Limits::new(LimitsConfig { token: Rate { per_minute: 120, burst: 5 }, team: LimitsConfig::OFF.team });
        for _ in 0..5 {
            assert_eq!(limits.check_token("a"), Ok(()));
        }
        let limited = limits.check_token("a").unwrap_err();
        assert_eq!(limited.scope, Scope::Token);
        assert!(limited.retry_after <= Duration::from_millis(500) && limited.retry_after > Duration::from_millis(300), "{limited:?}");
        assert_eq!(limited.retry_after_secs(), 1);
        assert_eq!(limits.check_token("b"), Ok(()), "another token has its own bucket");
        assert_eq!(limits.check_team("t"), Ok(()), "no team limit");
    }

    #[test]
    fn off_never_limits() {
        let limits = Limits::new(LimitsConfig::OFF);
        for _ in 0..10_000 {
            assert_eq!(limits.check_token("a"), Ok(()));
            assert_eq!(limits.check_team("t"), Ok(()));
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let secs = |ms| Limited { scope: Scope::Team, retry_after: Duration::from_millis(ms) }.retry_after_secs();
        assert_eq!((secs(0), secs(1), secs(999), secs(1000), secs(1001), secs(2500)), (1, 1, 1, 1, 2, 3));
    }
}
