use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;
use crate::action::{Action, PriceTable};
use crate::api::{Balance, EventResult, EventStatus, Reason, UsageAnswer, UsageEvent};
use crate::batch::{Judged, Prior, Verdict, decide_batch};
use crate::cycle::Timestamp;
use crate::ledger::Ledger;
use crate::plan::{CreditConfig, Plan};
use crate::recognition::Recognized;

fn t(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ev(n: u128, action: Action, job: Option<&str>) -> UsageEvent {
    UsageEvent { id: uuid::Uuid::from_u128(n), action, regenerate: false, job_id: job.map(str::to_owned), occurred_at: t("2026-11-06T10:00:00Z") }
}

fn balance(remaining: u64, extra: u64, total: u64) -> Balance {
    Balance {
        remaining,
        used: total - remaining,
        total,
        extra,
        spendable: remaining + extra,
        resets_at: Some(t("2026-12-01T00:00:00Z")),
        plan: Plan::Pro,
        seats: 1,
        low: (remaining + extra) * 10 <= total,
        cycle_start: t("2026-11-01T00:00:00Z"),
    }
}

fn result(n: u128, status: EventStatus, reason: Option<Reason>) -> EventResult {
    EventResult { id: Some(uuid::Uuid::from_u128(n).to_string()), status, reason }
}

fn configured() -> Settings {
    Settings { backend: Some(Backend::new("http://127.0.0.1:8787", "upx_token").unwrap()), ..Settings::default() }
}

#[test]
fn an_event_leaves_only_when_answered() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    o.learn_balance(balance(12, 0, 250), now);
    o.learn_job("~021", &[]);
    o.record(ev(1, Action::CoverLetter, Some("~021")));
    o.record(ev(4, Action::CoverLetter, Some("~099")));
    o.record(ev(2, Action::Answer, None));
    o.record(ev(2, Action::Answer, None));
    assert_eq!(o.pending.len(), 3, "an id is recorded once");
    let batch = o.batch(now).unwrap();
    assert_eq!(batch.events.len(), 3);
    // A click while the batch is out: it stays for the next batch.
    o.record(ev(3, Action::Answer, None));
    let answer = UsageAnswer {
        results: vec![
            result(1, EventStatus::Applied, None),
            result(4, EventStatus::Applied, None),
            result(2, EventStatus::Rejected, Some(Reason::InsufficientCredits)),
        ],
        balance: balance(10, 0, 250),
    };
    o.answered(&answer, &prices, now);
    assert_eq!(o.pending.iter().map(|e| e.id.as_u128()).collect::<Vec<_>>(), [3]);
    assert_eq!(o.rejected.len(), 1);
    assert_eq!((o.rejected[0].reason, o.rejected_unseen), (Reason::InsufficientCredits, 1));
    assert_eq!(o.job_used("~021", &prices), 1);
    assert!(!o.knows_job("~099"), "a count never fetched stays unknown, not partial");
    o.mark_rejections_seen();
    assert_eq!(o.rejected_unseen, 0);
}

#[test]
fn failures_back_off_exponentially_with_jitter_and_lose_nothing() {
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    o.record(ev(1, Action::Answer, None));
    o.failed(SyncErrorKind::Network, "connection refused", now, 0.0);
    assert_eq!(o.next_attempt_at, Some(now + Duration::seconds(1)));
    assert!(o.batch(now).is_none(), "not before the backoff");
    assert!(o.batch(now + Duration::seconds(1)).is_some());
    o.failed(SyncErrorKind::Network, "again", now, 1.0);
    assert_eq!(o.next_attempt_at, Some(now + Duration::seconds(4)));
    for _ in 0..30 {
        o.failed(SyncErrorKind::Unauthorized, "401", now, 0.5);
    }
    assert_eq!(o.next_attempt_at, Some(now + Duration::milliseconds(225_000)), "capped at 300 s");
    assert_eq!(o.pending.len(), 1);
    assert_eq!(o.last_error.as_ref().unwrap().kind, SyncErrorKind::Unauthorized);
    o.retry_now();
    assert!(o.batch(now).is_some());
    for f in 1..40 {
        for j in [0.0, 0.3, 1.0] {
            let d = backoff(f, j).num_milliseconds();
            assert!((1_000..=300_000).contains(&d), "{f} {j} {d}");
        }
    }
}

#[test]
fn batches_hold_at_most_500_events() {
    let mut o = Outbox::default();
    for n in 0..1200 {
        o.record(ev(n, Action::Answer, None));
    }
    assert_eq!(o.batch(t("2026-11-06T10:00:00Z")).unwrap().events.len(), 500);
}

#[test]
fn projection_spends_monthly_then_extra_and_never_goes_negative() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    assert_eq!(o.projection(&prices, 10), None);
    o.learn_balance(balance(2, 3, 250), now);
    for n in 0..4 {
        o.record(ev(n, Action::Answer, None));
    }
    let p = o.projection(&prices, 10).unwrap();
    assert_eq!((p.remaining, p.extra, p.spendable, p.used, p.pending), (0, 1, 1, 252, 4));
    for n in 4..10 {
        o.record(ev(n, Action::Answer, None));
    }
    let p = o.projection(&prices, 10).unwrap();
    assert_eq!((p.remaining, p.extra, p.spendable), (0, 0, 0));
}

#[test]
fn a_new_cycle_forgets_job_counts() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    o.learn_balance(balance(100, 0, 250), now);
    o.job_credits.insert("~021".into(), 3);
    o.learn_balance(balance(100, 0, 250), now);
    assert_eq!(o.job_used("~021", &prices), 3);
    let mut next = balance(250, 0, 250);
    next.cycle_start = t("2026-12-01T00:00:00Z");
    o.learn_balance(next, now);
    assert_eq!(o.job_used("~021", &prices), 0);
}

/// A backend usage row of one credit for `job`, recorded at `at`.
fn job_row(action: Action, regenerate: bool, job: &str, at: &str, refunded: bool) -> crate::api::UsageRow {
    crate::api::UsageRow {
        id: format!("{job} {at}"),
        action,
        label: String::new(),
        regenerate,
        job_id: Some(job.into()),
        member_id: "m".into(),
        member: "M".into(),
        occurred_at: t(at),
        recorded_at: t(at),
        bucket: crate::api::Bucket::Monthly,
        credits: -1,
        refunded,
    }
}

#[test]
fn job_counts_come_from_this_cycles_rows() {
    let row = |job: &str, at: &str, refunded| job_row(Action::CoverLetter, false, job, at, refunded);
    let rows = [
        row("~021", "2026-11-02T00:00:00Z", false),
        row("~021", "2026-10-30T00:00:00Z", false),
        row("~021", "2026-11-03T00:00:00Z", true),
        row("~022", "2026-11-03T00:00:00Z", false),
    ];
    assert_eq!(credits_for_job(&rows, "~021", t("2026-11-01T00:00:00Z")), 1);
    let mut o = Outbox::default();
    o.learn_balance(balance(100, 0, 250), t("2026-11-06T10:00:00Z"));
    o.learn_job("~021", &rows);
    o.record(ev(9, Action::CoverLetter, Some("~021")));
    assert_eq!(o.job_used("~021", &PriceTable::default()), 2, "backend's 1 + 1 pending");
}

#[test]
fn rerolls_are_counted_per_job_and_action() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let row = job_row;
    let rows = [
        row(Action::CoverLetter, false, "~021", "2026-11-02T00:00:00Z", false),
        row(Action::CoverLetter, true, "~021", "2026-11-02T00:01:00Z", false),
        row(Action::CoverLetter, true, "~021", "2026-11-02T00:02:00Z", false),
        row(Action::CoverLetter, true, "~021", "2026-10-30T00:00:00Z", false), // last cycle
        row(Action::CoverLetter, true, "~021", "2026-11-03T00:00:00Z", true),  // refunded
        row(Action::Answer, true, "~021", "2026-11-03T00:00:00Z", false),
        row(Action::CoverLetter, true, "~022", "2026-11-03T00:00:00Z", false),
    ];
    let cycle = t("2026-11-01T00:00:00Z");
    assert_eq!(
        rerolls_for_job(&rows, "~021", cycle),
        [
            JobRerolls { job_id: "~021".into(), action: Action::CoverLetter, count: 2 },
            JobRerolls { job_id: "~021".into(), action: Action::Answer, count: 1 },
        ]
    );
    let mut o = Outbox::default();
    o.learn_balance(balance(100, 0, 250), now);
    o.learn_job("~021", &rows);
    o.learn_job("~021", &rows); // learnt again: replaced, not added
    assert_eq!(o.job_rerolls("~021", Action::CoverLetter), 2);
    assert_eq!(o.job_rerolls("~022", Action::CoverLetter), 0, "never fetched");
    // An applied reroll of a known job grows the count; one of an unknown job does not.
    let reroll = |n, job: &str| UsageEvent { regenerate: true, ..ev(n, Action::CoverLetter, Some(job)) };
    o.record(reroll(20, "~021"));
    o.record(reroll(21, "~099"));
    assert_eq!(o.job_rerolls("~021", Action::CoverLetter), 3, "pending counts");
    let applied = |n| EventResult { id: Some(uuid::Uuid::from_u128(n).to_string()), status: EventStatus::Applied, reason: None };
    o.answered(&UsageAnswer { results: vec![applied(20), applied(21)], balance: balance(98, 0, 250) }, &prices, now);
    assert_eq!(o.job_rerolls("~021", Action::CoverLetter), 3, "applied: the pending one became the known count's");
    assert_eq!(o.job_rerolls("~099", Action::CoverLetter), 0);
    // A new cycle forgets them.
    let mut next = balance(250, 0, 250);
    next.cycle_start = t("2026-12-01T00:00:00Z");
    o.learn_balance(next, now);
    assert_eq!(o.job_rerolls("~021", Action::CoverLetter), 0);
}

#[test]
fn directives_warn_confirm_and_block() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    let mut settings = configured();
    let regen = Recognized { action: Action::CoverLetter, regenerate: true };
    let plain = Recognized { action: Action::CoverLetter, regenerate: false };
    // Balance unknown: counted, never blocked.
    let d = directive(plain, Some("~021"), &o, &settings, &prices, 10);
    assert_eq!((d.cost, d.blocked, d.confirm, d.warning), (1, None, false, None));
    o.learn_balance(balance(5, 0, 250), now);
    o.job_credits.insert("~021".into(), 2);
    o.job_rerolls.push(JobRerolls { job_id: "~021".into(), action: Action::CoverLetter, count: 1 });
    o.record(ev(1, Action::CoverLetter, Some("~021")));
    o.record(UsageEvent { regenerate: true, ..ev(10, Action::CoverLetter, Some("~021")) });
    o.record(UsageEvent { regenerate: true, ..ev(11, Action::Answer, Some("~021")) });
    let d = directive(regen, Some("~021"), &o, &settings, &prices, 10);
    // This job's Cover Letter: the backend's 1 reroll + 1 pending; the first Cover Letter and
    // the Answer's reroll are other results.
    assert_eq!(d.warning, Some(RegenerateWarning { cost: 1, rerolls: Some(2) }));
    let answer = Recognized { action: Action::Answer, regenerate: true };
    assert_eq!(directive(answer, Some("~021"), &o, &settings, &prices, 10).warning, Some(RegenerateWarning { cost: 1, rerolls: Some(1) }));
    assert!(!d.confirm, "confirmation is off by default");
    settings.confirm_regenerate = true;
    assert!(directive(regen, Some("~021"), &o, &settings, &prices, 10).confirm);
    assert!(!directive(plain, Some("~021"), &o, &settings, &prices, 10).confirm, "only Regenerate asks");
    assert_eq!(directive(regen, None, &o, &settings, &prices, 10).warning, Some(RegenerateWarning { cost: 1, rerolls: None }));
    for n in 2..4 {
        o.record(ev(n, Action::Answer, None));
    }
    let d = directive(regen, Some("~021"), &o, &settings, &prices, 10);
    assert!(d.blocked == Some(Reason::InsufficientCredits) && !d.confirm, "empty: blocked, no confirmation to offer");
    assert_eq!(d.warning, None, "nothing to warn about spending when nothing can be spent");
    let prices3 = PriceTable::new(&[(Action::AutoBid, 3)]).unwrap();
    assert_eq!(directive(Recognized { action: Action::AutoBid, regenerate: false }, None, &Outbox::default(), &settings, &prices3, 10).cost, 3);
}

#[test]
fn badge_tones_and_text() {
    let prices = PriceTable::default();
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    let mut settings = Settings::default();
    let b = BadgeView::new(&o, &settings, &prices, 10);
    assert_eq!((b.tone, b.configured, b.spendable), (Tone::Unknown, false, None));
    settings = configured();
    let b = BadgeView::new(&o, &settings, &prices, 10);
    assert_eq!((b.tone, b.configured, b.spendable, b.toolbar.as_str()), (Tone::Unknown, true, None, ""));
    o.learn_balance(balance(120, 22, 250), now);
    let b = BadgeView::new(&o, &settings, &prices, 10);
    assert_eq!((b.tone, b.spendable, b.remaining, b.extra, b.toolbar.as_str()), (Tone::Green, Some(142), 120, 22, "142"));
    assert_eq!((b.reset, b.reset_at), (Some(Reset::Cycle), Some(t("2026-12-01T00:00:00Z"))), "the cycle's end");
    settings.low_threshold = Some(150);
    assert_eq!(BadgeView::new(&o, &settings, &prices, 10).tone, Tone::Amber, "the option decides");
    settings.low_threshold = None;
    o.learn_balance(balance(20, 5, 250), now);
    assert_eq!(BadgeView::new(&o, &settings, &prices, 10).tone, Tone::Amber, "25 <= 10% of 250");
    settings.low_threshold = Some(3);
    assert_eq!(BadgeView::new(&o, &settings, &prices, 10).tone, Tone::Green, "the option overrides the backend's low");
    o.learn_balance(balance(0, 0, 250), now);
    let b = BadgeView::new(&o, &settings, &prices, 10);
    assert_eq!((b.tone, b.spendable), (Tone::Red, Some(0)));
    settings.show_badge = false;
    assert!(!BadgeView::new(&o, &settings, &prices, 10).visible);
    assert_eq!(toolbar_text(9_999), "9999");
    assert_eq!(toolbar_text(0), "0");
}

#[test]
fn the_badge_says_when_credits_refill() {
    let (prices, now) = (PriceTable::default(), t("2026-11-06T10:00:00Z"));
    let reset = |b: Balance| {
        let mut o = Outbox::default();
        o.learn_balance(b, now);
        let v = BadgeView::new(&o, &configured(), &prices, 10);
        (v.reset, v.reset_at)
    };
    assert_eq!(reset(balance(5, 0, 250)), (Some(Reset::Cycle), Some(t("2026-12-01T00:00:00Z"))));
    let trial = Balance { plan: Plan::Trial, resets_at: Some(t("2026-11-07T00:00:00Z")), ..balance(5, 0, 40) };
    assert_eq!(reset(trial.clone()), (Some(Reset::Daily), Some(t("2026-11-07T00:00:00Z"))), "the trial's next daily refill");
    let over = Balance { resets_at: None, cycle_start: t("2026-11-05T00:00:00Z"), ..trial };
    assert_eq!(reset(over), (Some(Reset::TrialOver), Some(t("2026-11-05T00:00:00Z"))), "the trial's end");
    let unknown = BadgeView::new(&Outbox::default(), &configured(), &prices, 10);
    assert_eq!((unknown.reset, unknown.reset_at), (None, None), "no balance, no date");
    let json = serde_json::to_value(BadgeView::new(
        &{
            let mut o = Outbox::default();
            o.learn_balance(balance(5, 0, 250), now);
            o
        },
        &configured(),
        &prices,
        10,
    ))
    .unwrap();
    assert_eq!((json["reset"].as_str(), json["reset_at"].as_str()), (Some("cycle"), Some("2026-12-01T00:00:00Z")), "a code and an RFC 3339 instant");
    assert_eq!(toolbar_text(12_345), "12k");
    assert_eq!(toolbar_text(3_000_000), "3m");
}

#[test]
fn backend_settings_are_checked() {
    let ok = Backend::new(" https://Credits.Example.com/ ", " upx_abc ").unwrap();
    assert_eq!((ok.url.as_str(), ok.token.as_str()), ("https://credits.example.com", "upx_abc"));
    assert_eq!(ok.origin_pattern(), "https://credits.example.com/*");
    assert!(!ok.is_loopback());
    let local = Backend::new("http://127.0.0.1:8787", "t").unwrap();
    assert_eq!(local.origin_pattern(), "http://127.0.0.1/*");
    assert!(local.is_loopback());
    assert!(Backend::new("http://localhost:3000", "t").unwrap().is_loopback());
    for (url, code) in [
        ("http://credits.example.com", "insecure_backend_url"),
        ("ftp://x.example", "invalid_backend_url"),
        ("credits.example.com", "invalid_backend_url"),
        ("https://", "invalid_backend_url"),
        ("https://x.example:99999", "invalid_backend_url"),
        ("https://x.example/api", "invalid_backend_url"),
        ("https://ex ample.com", "invalid_backend_url"),
    ] {
        assert_eq!(Backend::new(url, "t").unwrap_err().code, code, "{url}");
    }
    assert_eq!(Backend::new("https://x.example", "  ").unwrap_err().code, "invalid_token");
    assert_eq!(Backend::new("https://x.example", "a b").unwrap_err().code, "invalid_token");
}

#[test]
fn outbox_survives_storage() {
    let now = t("2026-11-06T10:00:00Z");
    let mut o = Outbox::default();
    o.record(ev(1, Action::JobAssistant, Some("~0133110211e88e3a06")));
    o.learn_balance(balance(1, 2, 250), now);
    o.failed(SyncErrorKind::Backend, "503", now, 0.2);
    let back: Outbox = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(back, o);
    let empty: Outbox = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, Outbox::default(), "missing fields take defaults (older stored state)");
}

/// A deterministic simulation of the client and the backend's ledger: clicks, batches,
/// requests lost on the way out, answers lost on the way back, backend outages and service
/// worker deaths (the outbox reloaded from storage). Whatever happens, once the network is
/// healthy every click is applied exactly once and nothing is lost or doubled.
#[derive(Clone, Debug)]
enum Step {
    Click,
    Sync,
    SyncRequestLost,
    SyncAnswerLost,
    BackendDown,
    WorkerRestart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::Click),
        3 => Just(Step::Sync),
        1 => Just(Step::SyncRequestLost),
        1 => Just(Step::SyncAnswerLost),
        1 => Just(Step::BackendDown),
        1 => Just(Step::WorkerRestart),
    ]
}

struct Backend0 {
    ledger: Ledger,
    cfg: CreditConfig,
    seen: HashMap<uuid::Uuid, Prior>,
    applied: Vec<uuid::Uuid>,
}

impl Backend0 {
    fn usage(&mut self, events: &[UsageEvent], now: Timestamp) -> UsageAnswer {
        let judged: Vec<Judged> = events.iter().cloned().map(Judged::valid).collect();
        let verdicts =
            decide_batch(&mut self.ledger, &mut crate::budget::MemberSpend::default(), &judged, |id| self.seen.get(id).copied(), now, &self.cfg);
        for (j, v) in judged.iter().zip(&verdicts) {
            let id = j.key().unwrap();
            match v {
                Verdict::Applied(_) => {
                    self.seen.insert(id, Prior::Applied);
                    self.applied.push(id);
                }
                Verdict::Rejected { reason, remember: true } => {
                    self.seen.insert(id, Prior::Rejected(*reason));
                }
                _ => {}
            }
        }
        UsageAnswer { results: judged.iter().zip(&verdicts).map(|(j, v)| v.result(j)).collect(), balance: self.ledger.balance(now, &self.cfg) }
    }
}

proptest! {
    #[test]
    fn simulation_nothing_lost_nothing_doubled(steps in proptest::collection::vec(step(), 1..120), allowance in 0u64..80, jitter in 0.0f64..1.0) {
        let cfg = CreditConfig { lite_per_seat: allowance, ..CreditConfig::default() };
        let prices = PriceTable::default();
        let start = t("2026-11-06T10:00:00Z");
        let mut backend = Backend0 { ledger: Ledger::new(Plan::Lite, 1, None, start, &cfg).unwrap(), cfg: cfg.clone(), seen: HashMap::new(), applied: Vec::new() };
        let mut client = Outbox::default();
        client.learn_balance(backend.ledger.balance(start, &cfg), start);
        client.learn_job("~021", &[]); // the backend's count for the job: none yet
        let mut clicks = 0u128;
        let mut now = start;
        for s in steps {
            now += Duration::seconds(7);
            let due = client.batch(now);
            match s {
                Step::Click => { clicks += 1; client.record(ev(clicks, Action::CoverLetter, Some("~021"))); }
                Step::Sync => if let Some(b) = due { let a = backend.usage(&b.events, now); client.answered(&a, &prices, now); },
                Step::SyncRequestLost | Step::BackendDown => if due.is_some() { client.failed(SyncErrorKind::Network, "lost", now, jitter); },
                Step::SyncAnswerLost => if let Some(b) = due { backend.usage(&b.events, now); client.failed(SyncErrorKind::Network, "lost", now, jitter); },
                Step::WorkerRestart => { client = serde_json::from_str(&serde_json::to_string(&client).unwrap()).unwrap(); }
            }
            if let Some(p) = client.projection(&prices, 10) {
                prop_assert!(p.spendable <= allowance);
            }
        }
        // The network heals: drain.
        while !client.pending.is_empty() {
            now += Duration::seconds(400);
            let b = client.batch(now).expect("due after the longest backoff");
            let a = backend.usage(&b.events, now);
            client.answered(&a, &prices, now);
        }
        let mut applied = backend.applied.clone();
        applied.sort();
        applied.dedup();
        prop_assert_eq!(applied.len(), backend.applied.len(), "an id applied twice");
        prop_assert_eq!(applied.len() as u128 + client.rejected.len() as u128, clicks, "every click answered once");
        prop_assert_eq!(applied.len() as u64, clicks.min(allowance as u128) as u64, "exactly what the pool allowed");
        let b = backend.ledger.balance(now, &cfg);
        prop_assert_eq!(b.used, applied.len() as u64);
        prop_assert!(client.rejected.iter().all(|r| r.reason == Reason::InsufficientCredits));
        client.learn_balance(b.clone(), now); // the shell's balance refresh
        let p = client.projection(&prices, 10).unwrap();
        prop_assert_eq!(p.spendable, b.spendable);
        prop_assert_eq!(client.job_used("~021", &prices), applied.len() as u64);
    }
}

proptest! {
    /// One bucket rule: with a price table where an action costs 2, the badge's projection,
    /// the directive and the ledger agree on every balance. Each click is judged by the
    /// directive (blocked or not) and by the ledger (applied or refused); the projection
    /// of the pending clicks equals the ledger's balance after them.
    #[test]
    fn badge_directive_and_ledger_agree_on_one_bucket_per_charge(
        monthly in 0u64..6, extra in 0u64..6, clicks in proptest::collection::vec(any::<bool>(), 1..12)
    ) {
        let prices = PriceTable::new(&[(Action::AutoBid, 2)]).unwrap();
        let cfg = CreditConfig { lite_per_seat: monthly, prices: prices.clone(), ..CreditConfig::default() };
        let now = t("2026-11-06T10:00:00Z");
        let mut ledger = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
        if extra > 0 { ledger.top_up(extra, &cfg).unwrap(); }
        let mut o = Outbox::default();
        o.learn_balance(ledger.balance(now, &cfg), now);
        let settings = configured();
        for (n, two) in clicks.into_iter().enumerate() {
            let action = if two { Action::AutoBid } else { Action::Answer };
            let d = directive(Recognized { action, regenerate: false }, None, &o, &settings, &prices, cfg.low_percent);
            let charged = ledger.charge(prices.cost(action).into(), now, &cfg);
            prop_assert_eq!(d.blocked.is_some(), charged.is_err(), "the directive blocks exactly what the ledger refuses");
            o.record(ev(n as u128, action, None));
            let p = o.projection(&prices, cfg.low_percent).unwrap();
            let b = ledger.balance(now, &cfg);
            prop_assert_eq!((p.remaining, p.extra, p.spendable, p.used, p.low), (b.remaining, b.extra, b.spendable, b.used, b.low));
            let badge = BadgeView::new(&o, &settings, &prices, cfg.low_percent);
            prop_assert_eq!(badge.spendable, Some(b.spendable));
        }
    }
}

#[test]
fn one_monthly_and_one_extra_credit_do_not_pay_a_two_credit_action() {
    let prices = PriceTable::new(&[(Action::AutoBid, 2)]).unwrap();
    let cfg = CreditConfig { lite_per_seat: 1, prices: prices.clone(), ..CreditConfig::default() };
    let now = t("2026-11-06T10:00:00Z");
    let mut ledger = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
    ledger.top_up(1, &cfg).unwrap();
    let mut o = Outbox::default();
    o.learn_balance(ledger.balance(now, &cfg), now);
    let badge = BadgeView::new(&o, &configured(), &prices, 10);
    assert_eq!(badge.spendable, Some(2), "the badge shows both credits");
    let bid = Recognized { action: Action::AutoBid, regenerate: false };
    assert!(directive(bid, None, &o, &configured(), &prices, 10).blocked.is_some(), "no bucket pays 2");
    assert_eq!(ledger.charge(2, now, &cfg), Err(Reason::InsufficientCredits));
    let answer = Recognized { action: Action::Answer, regenerate: false };
    assert!(directive(answer, None, &o, &configured(), &prices, 10).blocked.is_none());
    // A pending 2-credit event the ledger will refuse charges nothing in the projection.
    o.record(ev(1, Action::AutoBid, None));
    assert_eq!(o.projection(&prices, 10).unwrap().spendable, 2);
}

/// `GET /v1/balance` with a budget: `used` of `budget` this cycle.
fn budgeted(o: &mut Outbox, pool: u64, used: u64, budget: u64, now: Timestamp) {
    let member = crate::api::MemberBudget { used, budget: Some(budget), left: Some(budget.saturating_sub(used)) };
    o.learn_view(crate::api::BalanceView { team: balance(pool, 0, 250), member }, now);
}

#[test]
fn a_used_up_budget_blocks_inside_a_full_pool() {
    let now = t("2026-11-06T10:00:00Z");
    let (prices, r) = (PriceTable::default(), Recognized { action: Action::CoverLetter, regenerate: false });
    let mut o = Outbox::default();
    budgeted(&mut o, 200, 5, 5, now);
    let d = directive(r, None, &o, &configured(), &prices, 10);
    assert_eq!(d.blocked, Some(Reason::MemberBudgetExhausted), "the pool pays, the budget does not");
    let badge = BadgeView::new(&o, &configured(), &prices, 10);
    assert_eq!((badge.spendable, badge.tone), (Some(0), Tone::Red), "the badge shows what this member can spend");
    // The pool empty too: the pool is said first (raising the budget would not help).
    budgeted(&mut o, 0, 5, 5, now);
    assert_eq!(directive(r, None, &o, &configured(), &prices, 10).blocked, Some(Reason::InsufficientCredits));
}

#[test]
fn pending_clicks_count_against_the_budget_left() {
    let now = t("2026-11-06T10:00:00Z");
    let (prices, r) = (PriceTable::default(), Recognized { action: Action::CoverLetter, regenerate: false });
    let mut o = Outbox::default();
    budgeted(&mut o, 200, 4, 5, now);
    assert_eq!(directive(r, None, &o, &configured(), &prices, 10).blocked, None, "1 left");
    o.record(ev(1, Action::CoverLetter, None));
    let p = o.projection(&prices, 10).unwrap();
    assert_eq!((p.member_left, p.spendable, p.member_spendable()), (Some(0), 199, 0));
    assert_eq!(directive(r, None, &o, &configured(), &prices, 10).blocked, Some(Reason::MemberBudgetExhausted));
    // A second pending click is refused by the budget: it charges the pool nothing.
    o.record(ev(2, Action::CoverLetter, None));
    assert_eq!(o.projection(&prices, 10).unwrap().spendable, 199);
    // Applied: the member's use grows with the team's answer (which has no member figures).
    let answer = UsageAnswer {
        results: vec![EventResult { id: Some(uuid::Uuid::from_u128(1).to_string()), status: EventStatus::Applied, reason: None }],
        balance: balance(199, 0, 250),
    };
    o.answered(&answer, &prices, now);
    assert_eq!(o.balance.as_ref().unwrap().member, Some(crate::api::MemberBudget { used: 5, budget: Some(5), left: Some(0) }));
    // A new cycle starts the member's use again.
    let next = Balance { cycle_start: t("2026-12-01T00:00:00Z"), ..balance(250, 0, 250) };
    o.learn_balance(next, now);
    assert_eq!(o.projection(&prices, 10).unwrap().member_left, Some(4), "5 left, one still pending");
}
