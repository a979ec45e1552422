//! The whole popup view from realistic inputs: every state, every slot, and the rules every
//! view keeps (allow-listed attributes, labelled figures, messages that exist).

use super::*;
use crate::popup::node::{Node, find, parse};
use crate::popup::text::tests::Catalog;
use credits_core::Action;
use credits_core::api::{Advice, Bucket, DailyCredits, Forecast, JobAssistantUnused, Matching, Reason, Regenerations, Role, UsageEvent, UsageRow};
use credits_core::client::{KnownBalance, RejectedEvent, SyncErrorKind};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

struct Fixture {
    outbox: Outbox,
    projection: Projection,
    me: Me,
    members: Vec<MemberUsage>,
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
    let mut outbox = Outbox { balance: Some(KnownBalance { balance, at: ts("2026-11-24T11:57:00Z") }), ..Outbox::default() };
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
        MemberUsage { member_id: "m-ana".into(), name: "Ana".into(), role: Role::Owner, used: 4 },
        MemberUsage { member_id: "m-bo".into(), name: "Bo".into(), role: Role::Member, used: 6 },
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
        me: Some(&f.me),
        members: Some(&f.members),
        insights: Some(&f.insights),
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

/// A view's slots, read back as trees.
struct Slots(Vec<(String, Vec<Node>)>);

fn slots(v: &View) -> Slots {
    Slots(parse(&v.tokens))
}

fn slot<'a>(v: &'a Slots, name: &str) -> &'a [Node] {
    &v.0.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no slot {name}")).1
}

#[test]
fn the_popup_with_everything_known() {
    let f = fixture();
    let t = Catalog::en();
    let view = credits(&input(&f), &t);
    assert_eq!(view.state, State::Ok);
    let v = slots(&view);
    let text = |name| find::all_text(slot(&v, name));
    // One click waits: the projection takes it from Remaining and adds it to Used.
    assert_eq!([text("remaining"), text("used"), text("total"), text("extra")], ["239", "11", "250", "0"]);
    assert_eq!(text("resets"), "Resets Dec 20");
    assert_eq!(text("team"), "Ana · Acme");
    assert_eq!(text("cards-note"), "Includes 1 action waiting to sync.");
    assert!(text("top-up").contains("Top Up"));
    // History: the pending click on top, then rows and the rejected click in time order.
    let history = slot(&v, "history");
    let statuses: Vec<_> = history.iter().map(|n| n.attr("data-status").unwrap()).collect();
    assert_eq!(statuses, ["pending", "recorded", "rejected", "recorded"]);
    assert_eq!(slot(&v, "more")[0].attr("data-value"), Some("CURSOR"));
    assert_eq!(find::texts(&find::by_class(slot(&v, "members"), "used")), ["6", "5"], "Ana's pending click counts");
    assert_eq!(find::by_class(slot(&v, "insights"), "bar").len(), 5);
    assert!(text("notice").contains("1 AI action was not counted"));
    assert!(text("age-cards").is_empty(), "ages only when the backend cannot be reached");
}

#[test]
fn states_the_user_meets() {
    let f = fixture();
    let t = Catalog::en();
    let view = credits(&Input { configured: false, ..input(&f) }, &t);
    assert_eq!(view.state, State::NotConfigured);
    let not_configured = slots(&view);
    assert!(slot(&not_configured, "history").is_empty());
    assert_eq!(find::all_text(slot(&not_configured, "remaining")), "–");
    assert_eq!(find::by_tag(slot(&not_configured, "notice"), "a")[0].attr("href"), Some("options.html"));

    let refused = SyncError { kind: SyncErrorKind::Unauthorized, message: "401".into(), at: ts("2026-11-24T11:58:00Z") };
    let view = credits(&Input { problem: Some(&refused), ..input(&f) }, &t);
    assert_eq!(view.state, State::SignedOut);
    let signed_out = slots(&view);
    assert!(slot(&signed_out, "members").is_empty(), "a refused token sees no team figures");

    let down = SyncError { kind: SyncErrorKind::Network, message: "refused".into(), at: ts("2026-11-24T11:58:00Z") };
    let view = credits(&Input { problem: Some(&down), ..input(&f) }, &t);
    assert_eq!(view.state, State::Unreachable);
    let unreachable = slots(&view);
    assert_eq!(find::all_text(slot(&unreachable, "remaining")), "239", "the last known figures");
    assert_eq!(find::all_text(slot(&unreachable, "age-cards")), "As of 3 min ago");
    assert_eq!(find::all_text(slot(&unreachable, "age-members")), "As of 1 h ago");
    assert!(slot(&unreachable, "age-insights").is_empty(), "never fetched: no age");

    assert_eq!(credits(&Input { tone: Tone::Red, ..input(&f) }, &t).state, State::Empty);
    assert_eq!(credits(&Input { tone: Tone::Amber, ..input(&f) }, &t).state, State::Low);
    let view = credits(&Input { plan: Some(Plan::Trial), ..input(&f) }, &t);
    assert_eq!(view.state, State::Trial);
    let trial = slots(&view);
    assert_eq!(find::all_text(slot(&trial, "resets")), "Resets daily");
}

#[test]
fn a_member_sees_who_can_top_up_and_nothing_loaded_shows_placeholders() {
    let mut f = fixture();
    f.me.role = Role::Member;
    let t = Catalog::en();
    let v = slots(&credits(&Input { members: None, insights: None, usage: None, ..input(&f) }, &t));
    assert_eq!(find::all_text(slot(&v, "top-up")), "Only the team owner can top up.");
    assert_eq!(find::all_text(slot(&v, "members")), "Not loaded yet.");
    assert_eq!(find::all_text(slot(&v, "insights")), "Not loaded yet.");
    // The outbox still shows in the history.
    assert_eq!(slot(&v, "history").len(), 2);
}

#[test]
fn more_history_is_appended_with_the_filters_applied() {
    let f = fixture();
    let t = Catalog::en();
    let filter = Filter { action: Some(Action::Answer), member: None };
    let first = slots(&usage(&Input { filter: &filter, ..input(&f) }, true, &t));
    let statuses: Vec<_> = slot(&first, "history").iter().map(|n| n.attr("data-status").unwrap()).collect();
    assert_eq!(statuses, ["pending"], "only Answer: the pending click; the cached rows are Cover Letters");
    let later = slots(&usage(&input(&f), false, &t));
    let added = slot(&later, "+history");
    assert!(!added.is_empty() && added.iter().all(|n| n.attr("data-status") != Some("pending")));
    assert!(slot(&later, "more").iter().all(|n| n.attr("data-value") == Some("CURSOR")), "Show more is replaced");
}

#[test]
fn every_attribute_is_allowed_and_every_figure_is_named() {
    let f = fixture();
    let t = Catalog::en();
    let v = slots(&credits(&input(&f), &t)); // parse() checks every attribute
    let mut names = Vec::new();
    for (_, nodes) in &v.0 {
        for n in nodes {
            n.walk(&mut |n| {
                if n.tag() == Some("svg") {
                    names.push(n.attr("aria-label").unwrap().to_owned());
                }
                if matches!(n.tag(), Some("select" | "ul")) {
                    assert!(n.attr("aria-label").is_some() || n.attr("id").is_some(), "{n:?}");
                }
            });
        }
    }
    assert_eq!(names.len(), 1);
}

#[test]
fn popup_html_has_every_slot_and_message() {
    let html = include_str!("../../popup.html");
    let f = fixture();
    for (name, _) in slots(&credits(&input(&f), &Catalog::en())).0.into_iter().skip(1) {
        assert!(html.contains(&format!("data-slot=\"{name}\"")), "popup.html has no slot {name}");
    }
    let t = Catalog::en();
    for key in html.split("data-i18n=\"").skip(1).chain(html.split("data-i18n-label=\"").skip(1)) {
        let key = key.split('"').next().unwrap();
        assert!(!t.msg(key, &[]).is_empty(), "{key}");
    }
    // The cards' values are labelled by their headings.
    for card in ["remaining", "used", "total", "extra"] {
        assert!(html.contains(&format!("data-slot=\"{card}\" aria-labelledby=\"h-{card}\"")), "{card}");
        assert!(html.contains(&format!("id=\"h-{card}\"")), "{card}");
    }
}
