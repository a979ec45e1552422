//! Insights (`GET /v1/insights`, computed by the core in the backend): the daily chart, the
//! breakdown by action, the regenerations' share, the forecast sentence, and the advice
//! codes as seed 001's sentences.

use credits_core::api::{Advice, Forecast, Insights};
use credits_core::{Action, Timestamp};

use serde::Serialize;

use super::chart::{Chart, chart};
use super::text::{Msg, Sub, credits, msg, msg_with, number, percent};

/// An advice code's sentence (seed 001's "Tighten it" advice).
pub fn advice(advice: Advice) -> Msg {
    match advice {
        Advice::RaiseMatchThreshold => msg("adviceRaiseMatchThreshold"),
        Advice::FilterBeforeOpening => msg("adviceFilterBeforeOpening"),
        Advice::FewerRegenerations => msg("adviceFewerRegenerations"),
        Advice::CoordinateMembers => msg("adviceCoordinateMembers"),
        Advice::ConsiderUpgrade => msg("adviceConsiderUpgrade"),
    }
}

/// The forecast as a sentence: "At this pace (about 12 credits a day) you run out on
/// Nov 28, 4 days before the reset." `spendable` is what is left now; `used_for` is how long
/// the cycle had run when the forecast was made (its start to the insights' fetch).
///
/// Less than a day into a cycle longer than a day, the pace is a guess from a few hours
/// (the backend counts it as a whole day): no date is stated, the sentence says it is too
/// early. A trial's daily cycle is always less than a day old, so it keeps its forecast.
pub fn forecast(f: &Forecast, resets_at: Option<Timestamp>, spendable: u64, cycle_start: Timestamp, used_for: chrono::Duration) -> Msg {
    if spendable == 0 {
        return match resets_at {
            Some(date) => msg_with("forecastOut", vec![Sub::Date(date)]),
            None => msg("forecastOutNoReset"),
        };
    }
    if f.per_day <= 0.0 {
        return msg("forecastNone");
    }
    if credits_core::insights::too_early(cycle_start, resets_at, used_for) {
        return msg("forecastTooEarly");
    }
    let per_day = (f.per_day + 0.5) as u64;
    let pace = Sub::Msg(if per_day == 0 { msg("paceUnderOne") } else { msg_with("pace", vec![Sub::Msg(credits(per_day))]) });
    match (f.runs_out_at, resets_at, f.days_before_reset) {
        (Some(out), Some(_), Some(days)) if days >= 1 => {
            if days == 1 {
                msg_with("forecastRunOutOneDay", vec![pace, Sub::Date(out)])
            } else {
                msg_with("forecastRunOut", vec![pace, Sub::Date(out), Sub::Number(days)])
            }
        }
        (Some(out), Some(_), _) => msg_with("forecastRunOutJustBefore", vec![pace, Sub::Date(out)]),
        (Some(out), None, _) => msg_with("forecastRunOutNoReset", vec![pace, Sub::Date(out)]),
        (None, Some(date), _) => msg_with("forecastLasts", vec![pace, Sub::Date(date)]),
        (None, None, _) => msg("forecastNone"),
    }
}

/// The Insights section as the page draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub chart: Chart,
    pub by_action: Vec<Share>,
    /// Largest first (the credits page; the popup lists members apart).
    pub by_member: Vec<MemberShare>,
    pub regenerations: Msg,
    /// Job Assistant runs on jobs that got no cover letter, answer or bid.
    pub job_assistant_unused: Msg,
    /// Job Matching against Auto Bid.
    pub matching: Msg,
    pub forecast: Msg,
    pub advice: Vec<AdviceLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub action: &'static str,
    pub label: Msg,
    pub share: Msg,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberShare {
    pub member_id: String,
    pub name: String,
    pub share: Msg,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdviceLine {
    pub code: &'static str,
    pub text: Msg,
}

/// `at`: when the insights were learnt (the forecast's moment).
pub fn section(ins: &Insights, spendable: u64, at: Timestamp) -> Section {
    let consumed: u64 = ins.by_action.iter().map(|a| a.credits).sum();
    let pct = |n| Sub::Number(percent(n, consumed) as i64);
    let by_action = ins
        .by_action
        .iter()
        .map(|a| Share {
            action: a.action.code(),
            label: super::text::action(a.action),
            share: msg_with("shareOf", vec![Sub::Msg(credits(a.credits)), pct(a.credits)]),
        })
        .collect();
    let by_member = ins
        .by_member
        .iter()
        .map(|m| MemberShare {
            member_id: m.member_id.clone(),
            name: m.name.clone(),
            share: msg_with("shareOf", vec![Sub::Msg(credits(m.credits)), pct(m.credits)]),
        })
        .collect();
    let regen = ins.regenerations.credits;
    let of = |action| ins.by_action.iter().find(|a| a.action == action).map_or(0, |a| a.credits);
    let unused = &ins.job_assistant_unused;
    let job_assistant_unused = match unused.jobs {
        _ if of(Action::JobAssistant) == 0 => msg("jaUnusedNoRuns"),
        0 => msg("jaUnusedNone"),
        1 => msg_with("jaUnusedOne", vec![Sub::Msg(credits(unused.credits))]),
        jobs => msg_with("jaUnusedMany", vec![number(jobs), Sub::Msg(credits(unused.credits))]),
    };
    let m = &ins.matching;
    Section {
        chart: chart(&ins.daily),
        by_action,
        by_member,
        regenerations: msg_with("regenShare", vec![Sub::Msg(credits(regen)), pct(regen)]),
        job_assistant_unused,
        matching: msg_with("matchingAgainstBid", vec![Sub::Msg(credits(m.job_matching)), Sub::Msg(credits(m.auto_bid))]),
        forecast: forecast(&ins.forecast, ins.resets_at, spendable, ins.cycle_start, at - ins.cycle_start),
        advice: ins.advice.iter().map(|a| AdviceLine { code: a.code(), text: advice(*a) }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;
    use credits_core::Action;
    use credits_core::api::{ActionCredits, DailyCredits, JobAssistantUnused, Matching, MemberCredits, Regenerations};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn f(per_day: f64, out: Option<&str>, days: Option<i64>) -> Forecast {
        Forecast { per_day, runs_out_at: out.map(ts), days_before_reset: days }
    }

    /// A forecast made four days into a month's cycle.
    fn forecast(f: &Forecast, resets_at: Option<Timestamp>, spendable: u64) -> Msg {
        super::forecast(f, resets_at, spendable, ts("2026-11-02T09:00:00Z"), chrono::Duration::days(4))
    }

    #[test]
    fn too_early_to_forecast_less_than_a_day_into_a_cycle() {
        let t = Catalog::en();
        let (start, reset) = (ts("2026-11-02T09:00:00Z"), Some(ts("2026-12-02T09:00:00Z")));
        let hours = |h| chrono::Duration::hours(h);
        // 31 credits in the first 3 hours: the backend's pace runs out on Nov 10.
        let early = f(31.0, Some("2026-11-10T09:00:00Z"), Some(22));
        assert_eq!(t.say(&super::forecast(&early, reset, 250, start, hours(3))), "Too early to forecast: less than a day of use this cycle.");
        assert_eq!(
            t.say(&super::forecast(&f(0.2, None, None), reset, 250, start, hours(23))),
            "Too early to forecast: less than a day of use this cycle."
        );
        assert!(t.say(&super::forecast(&early, reset, 250, start, hours(24))).contains("you run out on Nov 10"), "a day of use: the date");
        // What is a fact stays one: out of credits, nothing used yet.
        assert_eq!(t.say(&super::forecast(&early, reset, 0, start, hours(3))), "You're out of credits until the reset on Dec 2.");
        assert_eq!(t.say(&super::forecast(&f(0.0, None, None), reset, 250, start, hours(3))), "No credits used yet this cycle.");
        // A trial's cycle is one day: it is always less than a day old, and keeps its forecast.
        let trial = Some(ts("2026-11-03T09:00:00Z"));
        let today = f(8.0, Some("2026-11-02T15:00:00Z"), Some(0));
        assert_eq!(
            t.say(&super::forecast(&today, trial, 2, start, hours(3))),
            "At this pace (about 8 credits a day) you run out on Nov 2, just before the reset."
        );
    }

    #[test]
    fn forecast_sentences() {
        let t = Catalog::en();
        let reset = Some(ts("2026-12-02T09:00:00Z"));
        assert_eq!(
            t.say(&forecast(&f(12.4, Some("2026-11-28T09:00:00Z"), Some(4)), reset, 50)),
            "At this pace (about 12 credits a day) you run out on Nov 28, 4 days before the reset."
        );
        assert_eq!(
            t.say(&forecast(&f(1.0, Some("2026-12-01T09:00:00Z"), Some(1)), reset, 5)),
            "At this pace (about 1 credit a day) you run out on Dec 1, 1 day before the reset."
        );
        assert_eq!(
            t.say(&forecast(&f(3.0, Some("2026-12-02T02:00:00Z"), Some(0)), reset, 5)),
            "At this pace (about 3 credits a day) you run out on Dec 2, just before the reset."
        );
        assert_eq!(
            t.say(&forecast(&f(0.2, None, None), reset, 50)),
            "At this pace (less than 1 credit a day) your credits last until the reset on Dec 2."
        );
        assert_eq!(
            t.say(&forecast(&f(2.0, Some("2026-12-20T00:00:00Z"), None), None, 50)),
            "At this pace (about 2 credits a day) you run out on Dec 20."
        );
        assert_eq!(t.say(&forecast(&f(0.0, None, None), reset, 50)), "No credits used yet this cycle.");
        assert_eq!(t.say(&forecast(&f(9.0, Some("2026-11-24T00:00:00Z"), Some(8)), reset, 0)), "You're out of credits until the reset on Dec 2.");
        assert_eq!(t.say(&forecast(&f(9.0, None, None), None, 0)), "You're out of credits.");
    }

    #[test]
    fn an_advice_code_a_newer_backend_sends_is_skipped() {
        let mut v = serde_json::to_value(Insights {
            cycle_start: ts("2026-11-20T09:00:00Z"),
            resets_at: None,
            by_action: vec![],
            by_member: vec![],
            regenerations: Regenerations { credits: 0, share: 0.0 },
            job_assistant_unused: JobAssistantUnused { jobs: 0, credits: 0 },
            matching: Matching { job_matching: 0, auto_bid: 0 },
            daily: vec![],
            forecast: f(0.0, None, None),
            advice: vec![Advice::FewerRegenerations],
        })
        .unwrap();
        assert_eq!(serde_json::from_value::<Insights>(v.clone()).unwrap().advice, [Advice::FewerRegenerations]);
        v["advice"] = serde_json::json!(["buy_a_bigger_screen", "fewer_regenerations"]);
        assert_eq!(serde_json::from_value::<Insights>(v).unwrap().advice, [Advice::FewerRegenerations]);
    }

    #[test]
    fn every_advice_code_has_its_sentence() {
        let t = Catalog::en();
        for a in Advice::ALL {
            let s = t.say(&advice(a));
            assert!(s.len() > 40 && s.ends_with('.'), "{s}");
        }
        assert!(t.say(&advice(Advice::FewerRegenerations)).contains("edit by hand"));
    }

    #[test]
    fn the_section() {
        let ins = Insights {
            cycle_start: ts("2026-11-20T09:00:00Z"),
            resets_at: Some(ts("2026-12-20T09:00:00Z")),
            by_action: vec![
                ActionCredits { action: Action::CoverLetter, label: "Cover Letter".into(), credits: 9 },
                ActionCredits { action: Action::Answer, label: "Answer".into(), credits: 3 },
            ],
            by_member: vec![
                MemberCredits { member_id: "m1".into(), name: "Ana".into(), credits: 8 },
                MemberCredits { member_id: "m2".into(), name: "Bo".into(), credits: 4 },
            ],
            regenerations: Regenerations { credits: 6, share: 0.5 },
            job_assistant_unused: JobAssistantUnused { jobs: 0, credits: 0 },
            matching: Matching { job_matching: 0, auto_bid: 0 },
            daily: ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]
                .iter()
                .map(|d| DailyCredits { date: (*d).into(), credits: 2 })
                .collect(),
            forecast: f(2.4, None, None),
            advice: vec![Advice::FewerRegenerations],
        };
        let t = Catalog::en();
        let view = section(&ins, 88, ts("2026-11-24T12:00:00Z"));
        assert_eq!(view.chart.bars.len(), 5);
        assert_eq!(
            view.by_action.iter().map(|s| format!("{}{}", t.say(&s.label), t.say(&s.share))).collect::<Vec<_>>(),
            ["Cover Letter9 credits · 75%", "Answer3 credits · 25%"]
        );
        assert_eq!(t.say(&view.regenerations), "Regenerations: 6 credits, 50% of this cycle's use");
        assert_eq!(
            view.by_member.iter().map(|m| format!("{} {} {}", m.member_id, m.name, t.say(&m.share))).collect::<Vec<_>>(),
            ["m1 Ana 8 credits · 67%", "m2 Bo 4 credits · 33%"]
        );
        assert_eq!(t.say(&view.job_assistant_unused), "No Job Assistant runs this cycle.");
        assert_eq!(t.say(&view.matching), "Job Matching used 0 credits; Auto Bid 0 credits.");
        // With Job Assistant runs: none, one or several jobs that led nowhere.
        let mut ins = ins;
        ins.by_action.push(ActionCredits { action: Action::JobAssistant, label: "Job Assistant".into(), credits: 5 });
        ins.matching = Matching { job_matching: 12, auto_bid: 1 };
        assert_eq!(
            t.say(&section(&ins, 88, ts("2026-11-24T12:00:00Z")).job_assistant_unused),
            "Every Job Assistant run this cycle led to a cover letter, an answer or a bid."
        );
        ins.job_assistant_unused = JobAssistantUnused { jobs: 1, credits: 2 };
        assert_eq!(
            t.say(&section(&ins, 88, ts("2026-11-24T12:00:00Z")).job_assistant_unused),
            "Job Assistant ran on 1 job that got no cover letter, answer or bid: 2 credits."
        );
        ins.job_assistant_unused = JobAssistantUnused { jobs: 3, credits: 4 };
        assert_eq!(
            t.say(&section(&ins, 88, ts("2026-11-24T12:00:00Z")).job_assistant_unused),
            "Job Assistant ran on 3 jobs that got no cover letter, answer or bid: 4 credits."
        );
        assert_eq!(t.say(&section(&ins, 88, ts("2026-11-24T12:00:00Z")).matching), "Job Matching used 12 credits; Auto Bid 1 credit.");
        assert_eq!(t.say(&view.forecast), "At this pace (about 2 credits a day) your credits last until the reset on Dec 20.");
        assert_eq!(
            view.advice.iter().map(|a| (a.code, t.say(&a.text))).collect::<Vec<_>>(),
            [("fewer_regenerations", t.msg("adviceFewerRegenerations", &[]))]
        );
    }
}
