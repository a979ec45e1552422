use super::*;
use crate::api::Bucket;
use crate::ledger::Ledger;
use crate::plan::{CreditConfig, Plan};
use chrono::{DateTime, Utc};

fn t(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Team {
    ledger: Ledger,
    cfg: CreditConfig,
    rows: Vec<UsageRow>,
}

impl Team {
    fn new(plan: Plan, seats: u32, anchor: &str) -> Team {
        let cfg = CreditConfig::default();
        Team { ledger: Ledger::new(plan, seats, Some(t(anchor)), t(anchor), &cfg).unwrap(), cfg, rows: Vec::new() }
    }

    fn spend(&mut self, member: &str, action: Action, regenerate: bool, job: Option<&str>, at: &str) {
        let bucket = self.ledger.charge(1, t(at), &self.cfg).unwrap();
        self.rows.push(UsageRow {
            id: format!("row{}", self.rows.len()),
            action,
            label: action.label().into(),
            regenerate,
            job_id: job.map(str::to_owned),
            member_id: format!("id-{member}"),
            member: member.into(),
            occurred_at: t(at),
            recorded_at: t(at),
            bucket,
            credits: -1,
            refunded: false,
        });
    }

    fn insights(&self, now: &str) -> Insights {
        insights(&self.rows, &self.ledger.balance(t(now), &self.cfg), t(now))
    }
}

#[test]
fn breakdowns_by_action_member_and_regeneration() {
    let mut team = Team::new(Plan::Pro, 2, "2026-11-01T00:00:00Z");
    for i in 0..4 {
        team.spend("Olena", Action::CoverLetter, i > 0, Some("~021"), "2026-11-02T10:00:00Z");
    }
    team.spend("Marco", Action::Answer, false, Some("~021"), "2026-11-03T10:00:00Z");
    team.spend("Marco", Action::JobAssistant, false, Some("~022"), "2026-11-03T11:00:00Z");
    let i = team.insights("2026-11-04T00:00:00Z");
    assert_eq!(
        i.by_action.iter().map(|a| (a.label.as_str(), a.credits)).collect::<Vec<_>>(),
        [("Cover Letter", 4), ("Job Assistant", 1), ("Answer", 1)]
    );
    assert_eq!(i.by_member.iter().map(|m| (m.name.as_str(), m.credits)).collect::<Vec<_>>(), [("Olena", 4), ("Marco", 2)]);
    assert_eq!(i.regenerations.credits, 3, "three rerolls");
    assert!((i.regenerations.share - 0.5).abs() < 1e-9);
    assert_eq!(i.job_assistant_unused, JobAssistantUnused { jobs: 1, credits: 1 });
    assert_eq!(i.cycle_start, t("2026-11-01T00:00:00Z"));
    assert_eq!(i.resets_at, Some(t("2026-12-01T00:00:00Z")));
}

#[test]
fn daily_series_covers_every_day_of_the_cycle_so_far() {
    let mut team = Team::new(Plan::Lite, 1, "2026-11-05T15:00:00Z");
    team.spend("Olena", Action::Answer, false, None, "2026-11-05T16:00:00Z");
    team.spend("Olena", Action::Answer, false, None, "2026-11-07T23:59:59Z");
    team.spend("Olena", Action::Answer, false, None, "2026-11-07T00:00:00Z");
    let i = team.insights("2026-11-08T01:00:00Z");
    let daily: Vec<_> = i.daily.iter().map(|d| (d.date.as_str(), d.credits)).collect();
    assert_eq!(daily, [("2026-11-05", 1), ("2026-11-06", 0), ("2026-11-07", 2), ("2026-11-08", 0)]);
}

#[test]
fn rows_outside_the_cycle_and_refunded_rows_do_not_count() {
    let mut team = Team::new(Plan::Lite, 1, "2026-10-05T00:00:00Z");
    team.spend("Olena", Action::Answer, false, None, "2026-10-20T00:00:00Z");
    team.spend("Olena", Action::Answer, false, None, "2026-11-06T00:00:00Z");
    team.spend("Olena", Action::CoverLetter, false, None, "2026-11-06T00:00:00Z");
    team.rows[2].refunded = true;
    let i = team.insights("2026-11-07T00:00:00Z");
    assert_eq!(i.by_action.len(), 1);
    assert_eq!(i.by_action[0].credits, 1);
}

#[test]
fn forecast_runs_out_before_the_reset() {
    // Lite, 1 seat: 100 credits. 40 used in the first 4 days: 10/day, 60 left: 6 days.
    let mut team = Team::new(Plan::Lite, 1, "2026-11-01T00:00:00Z");
    for _ in 0..40 {
        team.spend("Olena", Action::CoverLetter, false, None, "2026-11-02T00:00:00Z");
    }
    let i = team.insights("2026-11-05T00:00:00Z");
    assert!((i.forecast.per_day - 10.0).abs() < 1e-9);
    assert_eq!(i.forecast.runs_out_at, Some(t("2026-11-11T00:00:00Z")));
    assert_eq!(i.forecast.days_before_reset, Some(20));
    assert!(i.advice.contains(&Advice::ConsiderUpgrade));
}

#[test]
fn forecast_is_null_when_the_pool_lasts() {
    let mut team = Team::new(Plan::Max, 1, "2026-11-01T00:00:00Z");
    team.spend("Olena", Action::CoverLetter, false, None, "2026-11-02T00:00:00Z");
    let i = team.insights("2026-11-03T00:00:00Z");
    assert_eq!((i.forecast.runs_out_at, i.forecast.days_before_reset), (None, None));
    assert!(i.advice.is_empty(), "{:?}", i.advice);
    // Pace counts at least one day: 1 credit in the first hour is 1/day, not 24/day.
    let mut fresh = Team::new(Plan::Lite, 1, "2026-11-01T00:00:00Z");
    fresh.spend("Olena", Action::CoverLetter, false, None, "2026-11-01T00:30:00Z");
    assert!((fresh.insights("2026-11-01T01:00:00Z").forecast.per_day - 1.0).abs() < 1e-9);
    // Nothing used: no pace, no run-out.
    let idle = Team::new(Plan::Lite, 1, "2026-11-01T00:00:00Z");
    assert_eq!(idle.insights("2026-11-09T00:00:00Z").forecast.runs_out_at, None);
}

#[test]
fn an_empty_pool_has_run_out_now() {
    let cfg = CreditConfig { lite_per_seat: 3, ..CreditConfig::default() };
    let mut team = Team::new(Plan::Lite, 1, "2026-11-01T00:00:00Z");
    team.cfg = cfg;
    for _ in 0..3 {
        team.spend("Olena", Action::Answer, false, None, "2026-11-02T00:00:00Z");
    }
    let i = team.insights("2026-11-03T00:00:00Z");
    assert_eq!(i.forecast.runs_out_at, Some(t("2026-11-03T00:00:00Z")));
    assert_eq!(i.forecast.days_before_reset, Some(28));
}

#[test]
fn advice_follows_seed_001() {
    let mut team = Team::new(Plan::Max, 4, "2026-11-01T00:00:00Z");
    // Auto Bid: 30 evaluated, 10 submitted.
    for n in 0..30 {
        team.spend("VA", Action::JobMatching, false, Some(&format!("~02{n}")), "2026-11-02T00:00:00Z");
    }
    for n in 0..10 {
        team.spend("VA", Action::AutoBid, false, Some(&format!("~02{n}")), "2026-11-02T00:00:00Z");
    }
    // Job Assistant on 4 jobs, one of which got a cover letter.
    for n in 100..104 {
        team.spend("Olena", Action::JobAssistant, false, Some(&format!("~02{n}")), "2026-11-02T00:00:00Z");
    }
    team.spend("Olena", Action::CoverLetter, false, Some("~02100"), "2026-11-02T00:00:00Z");
    let i = team.insights("2026-11-03T00:00:00Z");
    assert_eq!(i.matching, Matching { job_matching: 30, auto_bid: 10 });
    assert_eq!(i.job_assistant_unused, JobAssistantUnused { jobs: 3, credits: 3 });
    assert_eq!(i.advice, [Advice::RaiseMatchThreshold, Advice::FilterBeforeOpening, Advice::CoordinateMembers]);

    let mut rerolls = Team::new(Plan::Max, 1, "2026-11-01T00:00:00Z");
    for i in 0..8 {
        rerolls.spend("Olena", Action::CoverLetter, i % 4 != 0, Some("~021"), "2026-11-02T00:00:00Z");
    }
    assert_eq!(rerolls.insights("2026-11-03T00:00:00Z").advice, [Advice::FewerRegenerations]);
}

#[test]
fn spending_extra_suggests_an_upgrade() {
    let cfg = CreditConfig { lite_per_seat: 2, ..CreditConfig::default() };
    let mut team = Team::new(Plan::Lite, 1, "2026-11-01T00:00:00Z");
    team.cfg = cfg;
    team.ledger.top_up(1000, &team.cfg).unwrap();
    for _ in 0..3 {
        team.spend("Olena", Action::Answer, false, None, "2026-11-02T00:00:00Z");
    }
    assert_eq!(team.rows[2].bucket, Bucket::Extra);
    let i = team.insights("2026-11-03T00:00:00Z");
    assert_eq!(i.forecast.runs_out_at, None, "1000 extra outlast the cycle");
    assert_eq!(i.advice, [Advice::ConsiderUpgrade]);
}

#[test]
fn json_shape_matches_the_spec() {
    let mut team = Team::new(Plan::Pro, 1, "2026-11-01T00:00:00Z");
    team.spend("Olena", Action::CoverLetter, true, Some("~021"), "2026-11-02T00:00:00Z");
    let json = serde_json::to_value(team.insights("2026-11-03T00:00:00Z")).unwrap();
    for key in
        ["cycle_start", "resets_at", "by_action", "by_member", "regenerations", "job_assistant_unused", "matching", "daily", "forecast", "advice"]
    {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["by_action"][0]["label"], "Cover Letter");
    assert_eq!(json["forecast"]["runs_out_at"], serde_json::Value::Null);
    assert_eq!(json["regenerations"]["share"], 1.0);
}

#[test]
fn a_pace_is_a_guess_less_than_a_day_into_a_cycle_longer_than_a_day() {
    let start = t("2026-11-02T09:00:00Z");
    let month = Some(start + Duration::days(30));
    let hours = Duration::hours;
    assert!(too_early(start, month, hours(0)));
    assert!(too_early(start, month, hours(23)));
    assert!(!too_early(start, month, hours(24)), "a whole day of use");
    assert!(too_early(start, None, hours(3)), "no reset known (a trial that ended): judged by the day alone");
    assert!(!too_early(start, None, hours(48)));
    // A trial's daily cycle: always under a day old, never too early.
    assert!(!too_early(start, Some(start + Duration::days(1)), hours(3)));
    assert!(!too_early(start, Some(start + Duration::days(1)), hours(0)));
    // Just over a day: its first day is a guess.
    assert!(too_early(start, Some(start + Duration::days(1) + Duration::seconds(1)), hours(12)));
}
