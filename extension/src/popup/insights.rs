//! Insights (`GET /v1/insights`, computed by the core in the backend): the daily chart, the
//! breakdown by action, the regenerations' share, the forecast sentence, and the advice
//! codes as seed 001's sentences.

use credits_core::Timestamp;
use credits_core::api::{Advice, Forecast, Insights};

use super::chart::chart;
use super::node::Tokens;
use super::text::{Text, credits, percent};

/// The message key of an advice code's sentence (seed 001's "Tighten it" advice).
pub fn advice_key(advice: Advice) -> &'static str {
    match advice {
        Advice::RaiseMatchThreshold => "adviceRaiseMatchThreshold",
        Advice::FilterBeforeOpening => "adviceFilterBeforeOpening",
        Advice::FewerRegenerations => "adviceFewerRegenerations",
        Advice::CoordinateMembers => "adviceCoordinateMembers",
        Advice::ConsiderUpgrade => "adviceConsiderUpgrade",
    }
}

/// The forecast as a sentence: "At this pace (about 12 credits a day) you run out on
/// Nov 28, 4 days before the reset." `spendable` is what is left now.
pub fn forecast(f: &Forecast, resets_at: Option<Timestamp>, spendable: u64, text: &dyn Text) -> String {
    let reset = resets_at.map(|t| text.date(t));
    if spendable == 0 {
        return match &reset {
            Some(date) => text.msg("forecastOut", &[date]),
            None => text.msg("forecastOutNoReset", &[]),
        };
    }
    if f.per_day <= 0.0 {
        return text.msg("forecastNone", &[]);
    }
    let per_day = (f.per_day + 0.5) as u64;
    let pace = if per_day == 0 { text.msg("paceUnderOne", &[]) } else { text.msg("pace", &[&credits(text, per_day)]) };
    match (f.runs_out_at, &reset, f.days_before_reset) {
        (Some(out), Some(_), Some(days)) if days >= 1 => {
            let key = if days == 1 { "forecastRunOutOneDay" } else { "forecastRunOut" };
            text.msg(key, &[&pace, &text.date(out), &days.to_string()])
        }
        (Some(out), Some(_), _) => text.msg("forecastRunOutJustBefore", &[&pace, &text.date(out)]),
        (Some(out), None, _) => text.msg("forecastRunOutNoReset", &[&pace, &text.date(out)]),
        (None, Some(date), _) => text.msg("forecastLasts", &[&pace, date]),
        (None, None, _) => text.msg("forecastNone", &[]),
    }
}

/// The section's content.
pub fn section(v: &mut Tokens, ins: &Insights, spendable: u64, text: &dyn Text) {
    let consumed: u64 = ins.by_action.iter().map(|a| a.credits).sum();
    chart(v, &ins.daily, text);
    v.open("ul").class("by-action").attr("aria-label", &text.msg("byAction", &[]));
    for a in &ins.by_action {
        let share = text.msg("shareOf", &[&credits(text, a.credits), &percent(a.credits, consumed).to_string()]);
        v.open("li").class("share").attr("data-id", a.action.code()).leaf("span", "label", a.action.label()).leaf("span", "n", &share).close();
    }
    v.close();
    let regen = ins.regenerations.credits;
    v.leaf("p", "regen-share", &text.msg("regenShare", &[&credits(text, regen), &percent(regen, consumed).to_string()]));
    v.leaf("p", "forecast", &forecast(&ins.forecast, ins.resets_at, spendable, text));
    if !ins.advice.is_empty() {
        v.open("ul").class("advice").attr("aria-label", &text.msg("adviceLabel", &[]));
        for a in &ins.advice {
            v.open("li").attr("data-id", a.code()).text(&text.msg(advice_key(*a), &[])).close();
        }
        v.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::node::find;
    use crate::popup::text::tests::Catalog;
    use credits_core::Action;
    use credits_core::api::{ActionCredits, DailyCredits, JobAssistantUnused, Matching, Regenerations};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn f(per_day: f64, out: Option<&str>, days: Option<i64>) -> Forecast {
        Forecast { per_day, runs_out_at: out.map(ts), days_before_reset: days }
    }

    #[test]
    fn forecast_sentences() {
        let t = Catalog::en();
        let reset = Some(ts("2026-12-02T09:00:00Z"));
        assert_eq!(
            forecast(&f(12.4, Some("2026-11-28T09:00:00Z"), Some(4)), reset, 50, &t),
            "At this pace (about 12 credits a day) you run out on Nov 28, 4 days before the reset."
        );
        assert_eq!(
            forecast(&f(1.0, Some("2026-12-01T09:00:00Z"), Some(1)), reset, 5, &t),
            "At this pace (about 1 credit a day) you run out on Dec 1, 1 day before the reset."
        );
        assert_eq!(
            forecast(&f(3.0, Some("2026-12-02T02:00:00Z"), Some(0)), reset, 5, &t),
            "At this pace (about 3 credits a day) you run out on Dec 2, just before the reset."
        );
        assert_eq!(
            forecast(&f(0.2, None, None), reset, 50, &t),
            "At this pace (less than 1 credit a day) your credits last until the reset on Dec 2."
        );
        assert_eq!(
            forecast(&f(2.0, Some("2026-12-20T00:00:00Z"), None), None, 50, &t),
            "At this pace (about 2 credits a day) you run out on Dec 20."
        );
        assert_eq!(forecast(&f(0.0, None, None), reset, 50, &t), "No credits used yet this cycle.");
        assert_eq!(forecast(&f(9.0, Some("2026-11-24T00:00:00Z"), Some(8)), reset, 0, &t), "You're out of credits until the reset on Dec 2.");
        assert_eq!(forecast(&f(9.0, None, None), None, 0, &t), "You're out of credits.");
    }

    #[test]
    fn every_advice_code_has_its_sentence() {
        let t = Catalog::en();
        for a in Advice::ALL {
            let s = t.msg(advice_key(a), &[]);
            assert!(s.len() > 40 && s.ends_with('.'), "{s}");
        }
        assert!(t.msg(advice_key(Advice::FewerRegenerations), &[]).contains("edit by hand"));
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
            by_member: vec![],
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
        let mut v = Tokens::default();
        section(&mut v, &ins, 88, &Catalog::en());
        let view = crate::popup::node::nodes(&v);
        assert_eq!(find::by_class(&view, "bar").len(), 5);
        assert_eq!(find::texts(&find::by_class(&view, "share")), ["Cover Letter9 credits · 75%", "Answer3 credits · 25%"]);
        assert_eq!(find::texts(&find::by_class(&view, "regen-share")), ["Regenerations: 6 credits, 50% of this cycle's use"]);
        assert_eq!(
            find::texts(&find::by_class(&view, "forecast")),
            ["At this pace (about 2 credits a day) your credits last until the reset on Dec 20."]
        );
        assert_eq!(find::by_class(&view, "advice")[0].text_content(), Catalog::en().msg("adviceFewerRegenerations", &[]));
    }
}
