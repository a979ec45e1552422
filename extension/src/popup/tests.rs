//! The whole popup's view model from realistic inputs: every state, every part, and the
//! JSON shape the page reads.

use super::*;
use crate::popup::text::tests::Catalog;
use credits_core::Action;
use credits_core::api::{
    Advice, Bucket, DailyCredits, Forecast, JobAssistantUnused, Matching, MemberBudget, Reason, Regenerations, Role, UsageEvent, UsageRow,
};
use credits_core::client::{KnownBalance, RejectedEvent, SyncErrorKind};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

struct Fixture {
    outbox: Outbox,
    projection: Projection,
    me: Me,
    members: Vec<MemberRow>,
    insights: Insights,
    usage: UsagePage,
    prices: PriceTable,
    filter: Filter,
}

fn fixture() -> Fixture {
    let balance = credits_core::api::Balance {
        remaining: 240,
        used: 10,
        total: 250,
        extra: 0,
        spendable: 240,
        resets_at: Some(ts("2026-12-20T09:00:00Z")),
        plan: Plan::Pro,
        seats: 1,
        low: false,
        cycle_start: ts("2026-11-20T09:00:00Z"),
    };
    let mut outbox = Outbox { balance: Some(KnownBalance { balance, member: None, at: ts("2026-11-24T11:57:00Z") }), ..Outbox::default() };
    outbox.record(UsageEvent {
        id: uuid::Uuid::from_u128(7),
        action: Action::Answer,
        regenerate: false,
        job_id: None,
        occurred_at: ts("2026-11-24T11:59:00Z"),
    });
    outbox.rejected.push(RejectedEvent {
        event: UsageEvent {
            id: uuid::Uuid::from_u128(8),
            action: Action::CoverLetter,
            regenerate: true,
            job_id: None,
            occurred_at: ts("2026-11-24T11:00:00Z"),
        },
        reason: Reason::InsufficientCredits,
        answered_at: ts("2026-11-24T11:00:00Z"),
    });
    outbox.rejected_unseen = 1;
    let prices = PriceTable::default();
    let projection = outbox.projection(&prices, 10).unwrap();
    let me = Me { member_id: "m-ana".into(), name: "Ana".into(), role: Role::Owner, team_id: "t".into(), team_name: "Acme".into() };
    let members = vec![
        MemberRow { member_id: "m-ana".into(), name: "Ana".into(), role: Role::Owner, used: 4, budget: None, left: None, last_active_at: None },
        MemberRow {
            member_id: "m-bo".into(),
            name: "Bo".into(),
            role: Role::Member,
            used: 6,
            budget: Some(40),
            left: Some(34),
            last_active_at: None,
        },
    ];
    let row = |id: u128, at: &str| UsageRow {
        id: uuid::Uuid::from_u128(id).to_string(),
        action: Action::CoverLetter,
        label: "Cover Letter".into(),
        regenerate: id.is_multiple_of(2),
        job_id: Some("~021998744339961847531".into()),
        member_id: "m-bo".into(),
        member: "Bo".into(),
        occurred_at: ts(at),
        recorded_at: ts(at),
        bucket: Bucket::Monthly,
        credits: -1,
        refunded: false,
    };
    let usage = UsagePage { rows: vec![row(1, "2026-11-24T11:30:00Z"), row(2, "2026-11-24T10:30:00Z")], next_before: Some("CURSOR".into()) };
    let insights = Insights {
        cycle_start: ts("2026-11-20T09:00:00Z"),
        resets_at: Some(ts("2026-12-20T09:00:00Z")),
        by_action: vec![credits_core::api::ActionCredits { action: Action::CoverLetter, label: "Cover Letter".into(), credits: 10 }],
        by_member: vec![],
        regenerations: Regenerations { credits: 5, share: 0.5 },
        job_assistant_unused: JobAssistantUnused { jobs: 0, credits: 0 },
        matching: Matching { job_matching: 0, auto_bid: 0 },
        daily: (20..=24).map(|d| DailyCredits { date: format!("2026-11-{d}"), credits: 2 }).collect(),
        forecast: Forecast { per_day: 2.5, runs_out_at: None, days_before_reset: None },
        advice: vec![Advice::FewerRegenerations],
    };
    Fixture { outbox, projection, me, members, insights, usage, prices, filter: Filter::default() }
}

fn input(f: &Fixture) -> Input<'_> {
    Input {
        configured: true,
        problem: None,
        tone: Tone::Green,
        projection: Some(&f.projection),
        plan: Some(Plan::Pro),
        seats: Some(3),
        me: Some(&f.me),
        members: Some(&f.members),
        insights: Some(&f.insights),
        plan_advice: None,
        usage: Some(&f.usage),
        outbox: &f.outbox,
        prices: &f.prices,
        packs: &[100, 500, 1000],
        filter: &f.filter,
        pack: None,
        ages: Ages { balance: Some(ts("2026-11-24T11:57:00Z")), members: Some(ts("2026-11-24T11:00:00Z")), insights: None, usage: None },
        now: ts("2026-11-24T12:00:00Z"),
    }
}

fn say(m: &Option<Msg>) -> String {
    Catalog::en().say_opt(m.as_ref())
}

fn statuses(h: &History) -> Vec<&'static str> {
    h.rows.iter().map(|r| r.status).collect()
}

#[test]
fn the_popup_with_everything_known() {
    let f = fixture();
    let t = Catalog::en();
    let view = credits(&input(&f));
    assert_eq!(view.state, State::Ok);
    // One click waits: the projection takes it from Remaining and adds it to Used.
    assert_eq!(view.cards, Some(cards::Cards { remaining: 239, used: 11, total: 250, extra: 0 }));
    assert_eq!(say(&view.resets), "Resets Dec 20");
    assert_eq!(say(&view.team), "Ana · Acme");
    assert_eq!(say(&view.cards_note), "Includes 1 action waiting to sync.");
    assert!(view.top_up.as_ref().is_some_and(|t| !t.owner_only && t.packs.len() == 3));
    // History: the pending click on top, then rows and the rejected click in time order.
    let history = view.history.as_ref().unwrap();
    assert_eq!(statuses(history), ["pending", "recorded", "rejected", "recorded"]);
    assert_eq!(history.more.as_deref(), Some("CURSOR"));
    assert!(!history.append);
    let members = view.members.as_ref().unwrap();
    assert_eq!(members.rows.iter().map(|m| m.used).collect::<Vec<_>>(), [6, 5], "Ana's pending click counts");
    assert_eq!(members.rows.iter().map(|m| t.say_opt(m.budget.as_ref())).collect::<Vec<_>>(), ["6 of 40 credits", ""], "Bo's budget");
    assert!(view.budget.is_none(), "Ana has no budget");
    assert_eq!(view.insights.as_ref().unwrap().section.as_ref().unwrap().chart.bars.len(), 5);
    assert!(t.say(&view.rejected.as_ref().unwrap().text).contains("1 AI action was not counted"));
    assert!(view.notice.is_none());
    assert!(view.ages.cards.is_none(), "ages only when the backend cannot be reached");
    assert_eq!(view.version, crate::VERSION);
}

#[test]
fn the_budget_line_where_the_token_s_member_has_one() {
    let mut f = fixture();
    let member = |used, budget: Option<u64>| Some(MemberBudget { used, budget, left: budget.map(|b: u64| b.saturating_sub(used)) });
    f.outbox.balance.as_mut().unwrap().member = member(12, Some(40));
    // The click waiting to sync (1 credit) is taken off.
    assert_eq!(say(&credits(&input(&f)).budget), "Your budget: 27 of 40 credits left this cycle");
    f.outbox.balance.as_mut().unwrap().member = member(0, Some(1));
    assert_eq!(say(&credits(&input(&f)).budget), "Your budget: 0 of 1 credit left this cycle");
    f.outbox.balance.as_mut().unwrap().member = member(50, Some(40));
    assert_eq!(say(&credits(&input(&f)).budget), "Your budget: 0 of 40 credits left this cycle", "never negative");
    f.outbox.balance.as_mut().unwrap().member = member(3, None);
    assert!(credits(&input(&f)).budget.is_none(), "no budget set");
    f.outbox.balance.as_mut().unwrap().member = member(12, Some(40));
    assert!(credits(&Input { configured: false, ..input(&f) }).budget.is_none());
}

#[test]
fn owners_see_the_plan_advice() {
    use credits_core::api::{PlanAdviceFigures, PlanOptionFigures};
    use credits_core::insights::plan_advice::{AdviceBasis, Recommendation};
    let mut f = fixture();
    let stay = PlanOptionFigures { plan: Plan::Pro, seats: 1, credits: 250, top_up: None };
    let advice = PlanAdviceFigures {
        basis: AdviceBasis::ThisCyclePace,
        per_cycle: 80,
        extra_per_cycle: 0,
        allowance: 250,
        recommendation: Recommendation::Stay,
        options: vec![stay],
    };
    let plan = |f: &Fixture| credits(&Input { plan_advice: Some(&advice), ..input(f) }).insights.unwrap().plan;
    assert_eq!(
        say(&plan(&f)),
        "Your plan fits: the team uses about 80 credits a cycle from this cycle's pace, 0 credits of it from Extra Credits, and your plan gives 250 credits."
    );
    assert!(credits(&input(&f)).insights.unwrap().plan.is_none(), "none from an older backend");
    f.me.role = Role::Member;
    assert!(plan(&f).is_none(), "owners only");
}

#[test]
fn states_the_user_meets() {
    let f = fixture();
    let view = credits(&Input { configured: false, ..input(&f) });
    assert_eq!(view.state, State::NotConfigured);
    assert!(view.history.is_none() && view.cards.is_none() && view.filters.is_none());
    assert!(view.notice.as_ref().unwrap().options);

    let refused = SyncError { kind: SyncErrorKind::Unauthorized, message: "401".into(), at: ts("2026-11-24T11:58:00Z") };
    let view = credits(&Input { problem: Some(&refused), ..input(&f) });
    assert_eq!(view.state, State::SignedOut);
    assert!(view.members.is_none() && view.team.is_none(), "a refused token sees no team figures");

    let down = SyncError { kind: SyncErrorKind::Network, message: "refused".into(), at: ts("2026-11-24T11:58:00Z") };
    let view = credits(&Input { problem: Some(&down), ..input(&f) });
    assert_eq!(view.state, State::Unreachable);
    assert_eq!(view.cards.as_ref().unwrap().remaining, 239, "the last known figures");
    assert_eq!(say(&view.ages.cards), "As of 3 min ago");
    assert_eq!(say(&view.ages.members), "As of 1 h ago");
    assert!(view.ages.insights.is_none(), "never fetched: no age");
    assert!(view.notice.as_ref().unwrap().retry);
    // Figures of one age: said once, under the cards, not again in every section.
    let at = Some(ts("2026-11-24T11:56:50Z"));
    let view = credits(&Input {
        problem: Some(&down),
        ages: Ages { balance: at, members: at, insights: at, usage: Some(ts("2026-11-24T11:57:40Z")) },
        ..input(&f)
    });
    assert_eq!(say(&view.ages.cards), "As of 3 min ago");
    assert_eq!(
        [&view.ages.history, &view.ages.members, &view.ages.insights].map(|a| a.is_none()),
        [false, true, true],
        "only the history's differs (2 min)"
    );
    assert_eq!(say(&view.ages.history), "As of 2 min ago");

    assert_eq!(credits(&Input { tone: Tone::Red, ..input(&f) }).state, State::Empty);
    assert_eq!(credits(&Input { tone: Tone::Amber, ..input(&f) }).state, State::Low);
    let view = credits(&Input { plan: Some(Plan::Trial), ..input(&f) });
    assert_eq!(view.state, State::Trial);
    assert_eq!(say(&view.resets), "Resets daily");
}

#[test]
fn a_member_sees_who_can_top_up_and_nothing_loaded_shows_placeholders() {
    let mut f = fixture();
    f.me.role = Role::Member;
    let view = credits(&Input { members: None, insights: None, usage: None, ..input(&f) });
    assert!(view.top_up.as_ref().unwrap().owner_only);
    assert_eq!(say(&view.members.as_ref().unwrap().empty), "Not loaded yet.");
    assert_eq!(say(&view.insights.as_ref().unwrap().empty), "Not loaded yet.");
    // The outbox still shows in the history.
    assert_eq!(view.history.as_ref().unwrap().rows.len(), 2);
}

#[test]
fn more_history_is_appended_with_the_filters_applied() {
    let f = fixture();
    let filter = Filter { action: Some(Action::Answer), ..Filter::default() };
    let first = history_page(&Input { filter: &filter, ..input(&f) }, true);
    assert_eq!(statuses(&first), ["pending"], "only Answer: the pending click; the cached rows are Cover Letters");
    let later = history_page(&input(&f), false);
    assert!(later.append && !later.rows.is_empty() && later.rows.iter().all(|r| r.status != "pending"));
    assert_eq!(later.more.as_deref(), Some("CURSOR"));
}

#[test]
fn the_model_serializes_as_the_page_reads_it() {
    let f = fixture();
    let v = serde_json::to_value(credits(&input(&f))).unwrap();
    assert_eq!((v["state"].as_str(), v["tone"].as_str()), (Some("ok"), Some("green")));
    assert_eq!(v["cards"]["remaining"], 239);
    assert_eq!(v["team"], serde_json::json!({"key": "teamLine", "subs": [{"text": "Ana"}, {"text": "Acme"}]}));
    assert_eq!(v["resets"]["subs"][0]["date"], "2026-12-20T09:00:00Z");
    assert_eq!(v["history"]["rows"][1]["bucket"], "monthly");
    assert_eq!(v["notice"], serde_json::Value::Null);
}
