//! Insights (SPEC rule 13): where this cycle's credits went, the pace, and advice.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use crate::action::Action;
use crate::api::{
    ActionCredits, Advice, Balance, DailyCredits, Forecast, Insights, JobAssistantUnused, Matching, MemberCredits, Regenerations, UsageRow,
};
use crate::cycle::Timestamp;

/// The thresholds behind each advice code. Small numbers are noise: advice needs a signal.
pub mod thresholds {
    /// Job Matching credits before its share is worth a word.
    pub const MATCHING_MIN: u64 = 10;
    /// Advise a higher match threshold when at least this many evaluations per submission.
    pub const MATCHING_PER_BID: u64 = 2;
    /// Job Assistant runs on unused jobs: at least this many jobs...
    pub const UNUSED_JOBS_MIN: u64 = 3;
    /// ...and at least this share (percent) of all Job Assistant credits.
    pub const UNUSED_SHARE_PERCENT: u64 = 50;
    /// Regeneration credits before their share is worth a word, and the share (percent).
    pub const REGENERATIONS_MIN: u64 = 5;
    pub const REGENERATIONS_SHARE_PERCENT: u64 = 25;
    /// One member using at least this share (percent) of a busy cycle, with others active.
    pub const MEMBER_SHARE_PERCENT: u64 = 60;
    pub const MEMBER_CYCLE_MIN: u64 = 20;
    /// The daily series keeps at most this many days (a long post-trial period stays small).
    pub const MAX_DAYS: i64 = 62;
}

use thresholds::*;

/// Computes the insights for the cycle `balance` describes, from its usage rows (rows of
/// other cycles and refunded rows are ignored), at `now`.
pub fn insights(rows: &[UsageRow], balance: &Balance, now: Timestamp) -> Insights {
    let rows: Vec<&UsageRow> = rows.iter().filter(|r| !r.refunded && r.recorded_at >= balance.cycle_start && r.recorded_at <= now).collect();
    let credits = |r: &&UsageRow| r.credits.unsigned_abs();
    let consumed: u64 = rows.iter().map(credits).sum();

    let mut actions: BTreeMap<Action, u64> = BTreeMap::new();
    let mut members: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    for r in &rows {
        *actions.entry(r.action).or_default() += credits(r);
        members.entry(r.member_id.as_str()).or_insert((r.member.as_str(), 0)).1 += credits(r);
    }
    let mut by_action: Vec<ActionCredits> =
        actions.into_iter().map(|(action, credits)| ActionCredits { action, label: action.label().to_owned(), credits }).collect();
    by_action.sort_by(|a, b| b.credits.cmp(&a.credits).then(a.action.cmp(&b.action)));
    let mut by_member: Vec<MemberCredits> =
        members.into_iter().map(|(id, (name, credits))| MemberCredits { member_id: id.to_owned(), name: name.to_owned(), credits }).collect();
    by_member.sort_by(|a, b| b.credits.cmp(&a.credits).then(a.name.cmp(&b.name)));

    let regen_credits: u64 = rows.iter().filter(|r| r.regenerate).map(credits).sum();
    let regenerations = Regenerations { credits: regen_credits, share: ratio(regen_credits, consumed) };
    let job_assistant_unused = unused_job_assistant(&rows);
    let of = |a: Action| rows.iter().filter(|r| r.action == a).map(credits).sum::<u64>();
    let matching = Matching { job_matching: of(Action::JobMatching), auto_bid: of(Action::AutoBid) };
    let daily = daily(&rows, balance.cycle_start, now);
    let forecast = forecast(balance, now);

    let mut advice = Vec::new();
    if matching.job_matching >= MATCHING_MIN && matching.job_matching >= MATCHING_PER_BID * matching.auto_bid {
        advice.push(Advice::RaiseMatchThreshold);
    }
    let ja_credits = of(Action::JobAssistant);
    if job_assistant_unused.jobs >= UNUSED_JOBS_MIN && job_assistant_unused.credits * 100 >= UNUSED_SHARE_PERCENT * ja_credits {
        advice.push(Advice::FilterBeforeOpening);
    }
    if regen_credits >= REGENERATIONS_MIN && regen_credits * 100 >= REGENERATIONS_SHARE_PERCENT * consumed {
        advice.push(Advice::FewerRegenerations);
    }
    if by_member.len() >= 2 && consumed >= MEMBER_CYCLE_MIN && by_member[0].credits * 100 >= MEMBER_SHARE_PERCENT * consumed {
        advice.push(Advice::CoordinateMembers);
    }
    let runs_out_early = forecast.runs_out_at.is_some() && balance.resets_at.is_some();
    if runs_out_early || balance.used > balance.total {
        advice.push(Advice::ConsiderUpgrade);
    }

    Insights {
        cycle_start: balance.cycle_start,
        resets_at: balance.resets_at,
        by_action,
        by_member,
        regenerations,
        job_assistant_unused,
        matching,
        daily,
        forecast,
        advice,
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Jobs that had Job Assistant runs but never a cover letter, an answer or a bid.
fn unused_job_assistant(rows: &[&UsageRow]) -> JobAssistantUnused {
    let used: BTreeSet<&str> = rows
        .iter()
        .filter(|r| matches!(r.action, Action::CoverLetter | Action::Answer | Action::AutoBid))
        .filter_map(|r| r.job_id.as_deref())
        .collect();
    let mut jobs = BTreeSet::new();
    let mut credits = 0;
    for r in rows.iter().filter(|r| r.action == Action::JobAssistant) {
        if let Some(job) = r.job_id.as_deref().filter(|j| !used.contains(j)) {
            jobs.insert(job);
            credits += r.credits.unsigned_abs();
        }
    }
    JobAssistantUnused { jobs: jobs.len() as u64, credits }
}

/// Credits per UTC day from the cycle's first day to today, zeros included.
fn daily(rows: &[&UsageRow], cycle_start: Timestamp, now: Timestamp) -> Vec<DailyCredits> {
    let last = now.max(cycle_start).date_naive();
    let first = cycle_start.date_naive().max(last - Duration::days(MAX_DAYS - 1));
    let mut days: BTreeMap<NaiveDate, u64> = first.iter_days().take_while(|d| *d <= last).map(|d| (d, 0)).collect();
    for r in rows {
        if let Some(c) = days.get_mut(&r.recorded_at.date_naive()) {
            *c += r.credits.unsigned_abs();
        }
    }
    days.into_iter().map(|(d, credits)| DailyCredits { date: d.format("%Y-%m-%d").to_string(), credits }).collect()
}

/// The pace (used / days elapsed, at least one) and when spendable credits run out at it.
fn forecast(balance: &Balance, now: Timestamp) -> Forecast {
    let elapsed_days = ((now - balance.cycle_start).num_seconds() as f64 / 86_400.0).max(1.0);
    let per_day = balance.used as f64 / elapsed_days;
    let runs_out_at = if balance.spendable == 0 {
        Some(now)
    } else if per_day > 0.0 {
        let secs = (balance.spendable as f64 / per_day * 86_400.0).min(1e11) as i64;
        Some(now + Duration::seconds(secs))
    } else {
        None
    };
    let runs_out_at = match (runs_out_at, balance.resets_at) {
        (Some(out), Some(reset)) if out >= reset => None,
        (out, _) => out,
    };
    let days_before_reset = runs_out_at.zip(balance.resets_at).map(|(out, reset)| (reset - out).num_days());
    Forecast { per_day, runs_out_at, days_before_reset }
}

pub mod plan_advice;

/// Whether this cycle's pace is a guess: less than a day into a cycle longer than a day
/// (`used_for`: how long the cycle had run when the figures were made; the backend counts
/// a few hours as a whole day). A forecast or plan advice from such a pace says so; a
/// trial's daily cycle is always less than a day old and keeps its forecast.
pub fn too_early(cycle_start: Timestamp, resets_at: Option<Timestamp>, used_for: Duration) -> bool {
    let day = Duration::days(1);
    used_for < day && resets_at.is_none_or(|r| r - cycle_start > day)
}

#[cfg(test)]
mod tests;
