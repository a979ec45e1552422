//! The worker's step machine: each decision alone, then a deterministic simulation that
//! drives it against the real ledger and batch judge through lost requests, lost answers,
//! worker deaths (state reloaded from what was saved) and restarts.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;
use crate::action::Action;
use crate::alerts::AlertKind;
use crate::api::{BalanceView, Bucket, EventStatus, MemberBudget, UsageAnswer, UsageEvent, UsageRow};
use crate::batch::{Judged, Prior, Verdict, decide_batch};
use crate::cycle::Timestamp;
use crate::ledger::Ledger;
use crate::plan::{CreditConfig, Plan};
use crate::recognition::{Candidate, NameParts, Rules};

const JOB: &str = "~021998744339961847531";
const PAGE: &str = "https://www.upwork.com/nx/proposals/job/~021998744339961847531/apply/";

fn t(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn t0() -> Timestamp {
    t("2026-11-06T10:00:00Z")
}

fn ev(n: u128) -> UsageEvent {
    UsageEvent { id: uuid::Uuid::from_u128(n), action: Action::CoverLetter, regenerate: false, job_id: Some(JOB.into()), occurred_at: t0() }
}

fn backend() -> Backend {
    Backend::new("http://127.0.0.1:8787", "upx_token").unwrap()
}

fn worker() -> Worker {
    let settings = Settings { backend: Some(backend()), ..Settings::default() };
    Worker::new(settings, Outbox::default(), StoredRules::shipped(), CreditConfig::default())
}

fn ledger_balance(remaining: u64) -> crate::api::Balance {
    let cfg = CreditConfig { lite_per_seat: remaining, ..CreditConfig::default() };
    Ledger::new(Plan::Lite, 1, Some(t("2026-11-01T00:00:00Z")), t0(), &cfg).unwrap().balance(t0(), &cfg)
}

const NO_BUDGET: MemberBudget = MemberBudget { used: 0, budget: None, left: None };

/// `GET /v1/balance` of a member with no budget set.
fn unbudgeted(remaining: u64) -> BalanceView {
    BalanceView { team: ledger_balance(remaining), member: NO_BUDGET }
}

/// The one request among the effects.
fn fetch(fx: &[Effect]) -> Option<(u64, Request)> {
    let mut it = fx.iter().filter_map(|e| match e {
        Effect::Fetch { seq, request, .. } => Some((*seq, request.clone())),
        _ => None,
    });
    let one = it.next();
    assert!(it.next().is_none(), "one request at a time: {fx:?}");
    one
}

fn cover_letter() -> Candidate {
    Candidate {
        tag: "button".into(),
        name: NameParts { text: Some("Cover Letter".into()), ..NameParts::default() },
        containers: vec!["upwex-widget".into()],
        url: PAGE.into(),
        ..Candidate::default()
    }
}

#[test]
fn a_click_is_saved_then_posted_and_the_sync_ends_with_balance_and_rules() {
    let mut w = worker();
    let fx = w.step(Event::Click(ev(1)), t0(), 0.5);
    assert_eq!(fx[..2], [Effect::Save(vec![Stored::Outbox]), Effect::Broadcast], "stored before anything else");
    let (seq, req) = fetch(&fx).unwrap();
    assert!(matches!(&req, Request::PostUsage(b) if b.events.len() == 1));
    // A second click while the batch is out: stored, no second request.
    let fx = w.step(Event::Click(ev(2)), t0(), 0.5);
    assert_eq!(fetch(&fx), None);
    let answer = UsageAnswer {
        results: vec![crate::api::EventResult { id: Some(ev(1).id.to_string()), status: EventStatus::Applied, reason: None }],
        balance: ledger_balance(9),
    };
    let fx = w.step(Event::Answered { seq, answer: Answer::Usage(answer) }, t0(), 0.5);
    assert!(fx.contains(&Effect::Save(vec![Stored::Outbox])));
    let (seq, req) = fetch(&fx).unwrap();
    assert!(matches!(&req, Request::PostUsage(b) if b.events[0].id == ev(2).id), "the next batch");
    let answer = UsageAnswer {
        results: vec![crate::api::EventResult { id: Some(ev(2).id.to_string()), status: EventStatus::Duplicate, reason: None }],
        balance: ledger_balance(8),
    };
    let (seq, req) = fetch(&w.step(Event::Answered { seq, answer: Answer::Usage(answer) }, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::Balance, "drained: the balance");
    let (seq, req) = fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(8)) }, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::Rules { etag: None }, "never checked: the rules");
    let mut rules = Rules::shipped();
    rules.version += 1;
    let fx = w.step(Event::Answered { seq, answer: Answer::Rules(Some((rules.clone(), Some("\"v2\"".into())))) }, t0(), 0.5);
    assert_eq!(fx[..2], [Effect::Save(vec![Stored::Rules]), Effect::Broadcast]);
    // The click during the first batch asked for one more sync: it runs now, without rules.
    let (seq, req) = fetch(&fx).unwrap();
    assert_eq!(req, Request::Balance);
    assert_eq!(fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(8)) }, t0(), 0.5)), None);
    assert!(!w.syncing());
    assert_eq!((w.rules.rules.version, w.rules.etag.as_deref(), w.rules.checked_at), (rules.version, Some("\"v2\""), Some(t0())));
    // Within the hour the rules are not asked again; after it, with the ETag.
    let (seq, _) = fetch(&w.step(Event::Alarm, t0() + Duration::seconds(60), 0.5)).unwrap();
    let fx = w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(8)) }, t0() + Duration::seconds(60), 0.5);
    assert_eq!(fetch(&fx), None);
    assert!(!w.syncing());
    let later = t0() + Duration::seconds(RULES_EVERY_SECS);
    let (seq, _) = fetch(&w.step(Event::Alarm, later, 0.5)).unwrap();
    let (_, req) = fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(8)) }, later, 0.5)).unwrap();
    assert_eq!(req, Request::Rules { etag: Some("\"v2\"".into()) });
}

#[test]
fn an_answer_for_none_of_the_batch_backs_off_instead_of_looping() {
    let mut w = worker();
    let (seq, _) = fetch(&w.step(Event::Click(ev(1)), t0(), 0.0)).unwrap();
    let answer = UsageAnswer { results: vec![], balance: ledger_balance(5) };
    let fx = w.step(Event::Answered { seq, answer: Answer::Usage(answer) }, t0(), 0.0);
    assert_eq!(fetch(&fx), None);
    assert_eq!(w.outbox.last_error.as_ref().map(|e| e.kind), Some(SyncErrorKind::Backend));
    assert!(fx.contains(&Effect::RetryAt(t0() + Duration::seconds(1))));
    assert_eq!(w.outbox.pending.len(), 1);
}

#[test]
fn an_answer_that_does_not_fit_the_step_ends_the_sync_and_changes_nothing() {
    let mut w = worker();
    let (seq, _) = fetch(&w.step(Event::Click(ev(1)), t0(), 0.0)).unwrap();
    let fx = w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(5)) }, t0(), 0.0);
    assert!(matches!(fx.as_slice(), [Effect::Warn(_)]), "{fx:?}");
    assert!(!w.syncing());
    assert_eq!((w.outbox.pending.len(), w.outbox.balance.is_none()), (1, true));
}

#[test]
fn a_trigger_during_a_sync_runs_it_once_more() {
    let mut w = worker();
    let (seq, req) = fetch(&w.step(Event::Alarm, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::Balance);
    assert_eq!(fetch(&w.step(Event::Alarm, t0(), 0.5)), None);
    assert_eq!(fetch(&w.step(Event::SyncNow, t0(), 0.5)), None);
    w.rules.checked_at = Some(t0());
    let (_, req) = fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(5)) }, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::Balance, "once more, not twice more");
}

#[test]
fn a_failure_backs_off_saves_and_schedules_one_retry() {
    let mut w = worker();
    w.step(Event::Click(ev(1)), t0(), 0.0);
    let fx = w.step(Event::Click(ev(2)), t0(), 0.0);
    assert_eq!(fetch(&fx), None);
    let fx = w.step(Event::Failed { seq: w.seq, kind: SyncErrorKind::Network, message: "offline".into(), retry_after_secs: None }, t0(), 0.0);
    let at = t0() + Duration::seconds(1);
    // Failed, saved, shown; the pending "again" reruns and stops at the backoff.
    assert_eq!(fx, [Effect::Save(vec![Stored::Outbox]), Effect::Broadcast, Effect::RetryAt(at)]);
    assert!(!w.syncing());
    assert_eq!(w.outbox.pending.len(), 2, "nothing lost");
    assert_eq!(w.step(Event::Alarm, t0(), 0.0), [], "in backoff, the retry already set");
    let (_, req) = fetch(&w.step(Event::Timer, at, 0.0)).unwrap();
    assert!(matches!(req, Request::PostUsage(_)));
}

#[test]
fn a_retry_after_from_the_backend_is_honoured_and_loses_nothing() {
    let mut w = worker();
    w.step(Event::Click(ev(1)), t0(), 0.0);
    let fx = w.step(Event::Failed { seq: w.seq, kind: SyncErrorKind::Backend, message: "429".into(), retry_after_secs: Some(120) }, t0(), 0.0);
    let at = t0() + Duration::seconds(120);
    assert_eq!(fx, [Effect::Save(vec![Stored::Outbox]), Effect::Broadcast, Effect::RetryAt(at)], "not the 1 s backoff");
    assert_eq!(w.outbox.pending.len(), 1, "nothing lost");
    assert_eq!(fetch(&w.step(Event::Timer, at - Duration::seconds(1), 0.0)), None, "not before the backend's moment");
    assert!(matches!(fetch(&w.step(Event::Timer, at, 0.0)).unwrap().1, Request::PostUsage(_)));
    // A shorter Retry-After than the backoff does not shorten the backoff.
    let mut w = worker();
    w.step(Event::Click(ev(1)), t0(), 0.0);
    w.step(Event::Failed { seq: w.seq, kind: SyncErrorKind::Backend, message: "503".into(), retry_after_secs: Some(0) }, t0(), 0.0);
    assert_eq!(w.outbox.next_attempt_at, Some(t0() + Duration::seconds(1)));
}

#[test]
fn a_worker_starts_syncing_when_something_waits_or_the_balance_is_stale() {
    let mut w = worker();
    assert!(fetch(&w.step(Event::Started, t0(), 0.5)).is_some(), "no balance known");
    let mut w = worker();
    w.outbox.learn_balance(ledger_balance(5), t0());
    assert_eq!(w.step(Event::Started, t0() + Duration::seconds(STALE_BALANCE_SECS - 1), 0.5), []);
    assert!(fetch(&w.step(Event::Started, t0() + Duration::seconds(STALE_BALANCE_SECS), 0.5)).is_some());
    let mut w = worker();
    w.outbox.learn_balance(ledger_balance(5), t0());
    w.outbox.record(ev(1));
    assert!(fetch(&w.step(Event::Started, t0(), 0.5)).is_some(), "a click waits");
    let mut w = worker();
    w.settings.backend = None;
    w.outbox.record(ev(1));
    assert_eq!(w.step(Event::Started, t0(), 0.5), [], "not set up");
}

#[test]
fn a_job_count_is_fetched_once_and_a_failed_one_not_before_a_minute() {
    let mut w = worker();
    let (described, fx) = w.describe(PAGE, &[cover_letter()], t0());
    assert!(described.directives[0].is_some());
    assert_eq!(fx, [], "the cycle is not known yet: nothing to count against");
    w.outbox.learn_balance(ledger_balance(5), t0());
    w.rules.checked_at = Some(t0());
    let (_, fx) = w.describe(PAGE, &[cover_letter()], t0());
    let (seq, req) = fetch(&fx).unwrap();
    assert_eq!(req, Request::Balance, "a sync starts; the job after the balance");
    assert_eq!(w.describe(PAGE, &[cover_letter()], t0()).1, [], "already wanted");
    let (seq, req) = fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(5)) }, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::JobUsage(JOB.into()));
    assert_eq!(w.describe(PAGE, &[cover_letter()], t0()).1, [], "being fetched");
    let fx = w.step(Event::Failed { seq, kind: SyncErrorKind::Network, message: "x".into(), retry_after_secs: None }, t0(), 0.5);
    assert_eq!(fx, [], "a job count failing is not a sync failure");
    assert!(w.outbox.last_error.is_none());
    assert_eq!(w.describe(PAGE, &[cover_letter()], t0() + Duration::seconds(JOB_RETRY_SECS - 1)).1, []);
    let (_, fx) = w.describe(PAGE, &[cover_letter()], t0() + Duration::seconds(JOB_RETRY_SECS));
    assert_eq!(fetch(&fx).unwrap().1, Request::Balance);
    let (seq, _) = fetch(&w.step(Event::Answered { seq: w.seq, answer: Answer::Balance(unbudgeted(5)) }, t0(), 0.5)).unwrap();
    w.step(Event::Answered { seq, answer: Answer::JobUsage(vec![]) }, t0(), 0.5);
    assert!(w.outbox.knows_job(JOB));
    assert_eq!(w.describe(PAGE, &[cover_letter()], t0()).1, [], "known");
    // A page without recognized controls asks nothing.
    let mut other = cover_letter();
    other.name.text = Some("Submit".into());
    let mut w2 = worker();
    w2.outbox.learn_balance(ledger_balance(5), t0());
    let (d, fx) = w2.describe(PAGE, &[other], t0());
    assert_eq!((d.directives, fx), (vec![None], vec![]));
}

#[test]
fn new_settings_forget_the_old_backend_and_ignore_its_late_answers() {
    let mut w = worker();
    w.outbox.learn_balance(ledger_balance(5), t0());
    w.rules.etag = Some("\"v1\"".into());
    w.outbox.record(ev(1));
    w.top_up.id_for(100, || "lost".into());
    let (old, _) = fetch(&w.step(Event::Alarm, t0(), 0.5)).unwrap();
    let mut settings = w.settings.clone();
    settings.confirm_regenerate = true;
    let fx = w.step(Event::SettingsSaved(settings.clone()), t0(), 0.5);
    assert_eq!(fx, [Effect::Save(vec![Stored::Settings, Stored::Outbox, Stored::Rules]), Effect::Broadcast], "same backend: kept");
    settings.backend = Some(Backend::new("http://127.0.0.1:9999", "upx_other").unwrap());
    let fx = w.step(Event::SettingsSaved(settings.clone()), t0(), 0.5);
    assert_eq!(fx[..2], [Effect::Save(vec![Stored::Settings, Stored::Outbox, Stored::Rules, Stored::NoFigures]), Effect::Broadcast]);
    let (new, req) = fetch(&fx).unwrap();
    assert!(matches!(req, Request::PostUsage(_)), "the pending click goes to the new backend");
    assert!(matches!(&fx[2], Effect::Fetch { backend, .. } if Some(backend) == settings.backend.as_ref()));
    assert_eq!((w.outbox.balance.is_none(), w.rules.etag.as_deref()), (true, None));
    assert_eq!(w.top_up.id_for(100, || "new".into()), "new", "a lost top-up of the old backend is not retried on the new one");
    let late = UsageAnswer { results: vec![], balance: ledger_balance(1) };
    assert_eq!(w.step(Event::Answered { seq: old, answer: Answer::Usage(late) }, t0(), 0.5), [], "the old backend's answer");
    assert!(w.outbox.balance.is_none());
    assert_eq!(w.seq, new);
    // A top-up answered by the old backend is not this one's balance.
    let fx = w.step(Event::BalanceLearnt { backend: backend(), balance: ledger_balance(3) }, t0(), 0.5);
    assert_eq!((fx, w.outbox.balance.is_none()), (vec![], true));
    let fx = w.step(Event::BalanceLearnt { backend: settings.backend.clone().unwrap(), balance: ledger_balance(3) }, t0(), 0.5);
    assert_eq!((fx, w.outbox.balance.is_some()), (vec![Effect::Save(vec![Stored::Outbox]), Effect::Broadcast], true));
}

#[test]
fn rules_that_do_not_validate_are_not_used() {
    let mut w = worker();
    w.outbox.learn_balance(ledger_balance(5), t0());
    let (seq, _) = fetch(&w.step(Event::Alarm, t0(), 0.5)).unwrap();
    let (seq, _) = fetch(&w.step(Event::Answered { seq, answer: Answer::Balance(unbudgeted(5)) }, t0(), 0.5)).unwrap();
    let mut bad = Rules::shipped();
    bad.container_marker = " ".into();
    let fx = w.step(Event::Answered { seq, answer: Answer::Rules(Some((bad, Some("\"bad\"".into())))) }, t0(), 0.5);
    assert!(matches!(fx.as_slice(), [Effect::Save(k), Effect::Warn(_)] if *k == vec![Stored::Rules]));
    assert_eq!((w.rules.rules, w.rules.etag, w.rules.checked_at), (Rules::shipped(), None, Some(t0())));
}

#[test]
fn rejections_seen_are_saved_and_shown() {
    let mut w = worker();
    w.outbox.rejected_unseen = 2;
    assert!(w.view().problem.is_some());
    assert_eq!(w.step(Event::RejectionsSeen, t0(), 0.5), [Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
    assert_eq!(w.view().problem, None);
}

// ---- the simulation ---------------------------------------------------------------------

/// The backend: the real ledger and batch judge, and the usage rows it recorded.
struct Server {
    ledger: Ledger,
    cfg: CreditConfig,
    seen: HashMap<uuid::Uuid, Prior>,
    applied: Vec<uuid::Uuid>,
    rows: Vec<UsageRow>,
}

impl Server {
    fn answer(&mut self, request: &Request, now: Timestamp) -> Answer {
        match request {
            Request::PostUsage(batch) => {
                let judged: Vec<Judged> = batch.events.iter().cloned().map(Judged::valid).collect();
                let verdicts = decide_batch(
                    &mut self.ledger,
                    &mut crate::budget::MemberSpend::default(),
                    &judged,
                    |id| self.seen.get(id).copied(),
                    now,
                    &self.cfg,
                );
                for (event, v) in batch.events.iter().zip(&verdicts) {
                    match v {
                        Verdict::Applied(_) => {
                            self.seen.insert(event.id, Prior::Applied);
                            self.applied.push(event.id);
                            self.rows.push(UsageRow {
                                id: event.id.to_string(),
                                action: event.action,
                                label: String::new(),
                                regenerate: false,
                                job_id: event.job_id.clone(),
                                member_id: "m".into(),
                                member: "M".into(),
                                occurred_at: event.occurred_at,
                                recorded_at: now,
                                bucket: Bucket::Monthly,
                                credits: -1,
                                refunded: false,
                            });
                        }
                        Verdict::Rejected { reason, remember: true } => {
                            self.seen.insert(event.id, Prior::Rejected(*reason));
                        }
                        _ => {}
                    }
                }
                let results = judged.iter().zip(&verdicts).map(|(j, v)| v.result(j)).collect();
                Answer::Usage(UsageAnswer { results, balance: self.ledger.balance(now, &self.cfg) })
            }
            Request::Balance => Answer::Balance(BalanceView { team: self.ledger.balance(now, &self.cfg), member: NO_BUDGET }),
            Request::JobUsage(job) => Answer::JobUsage(self.rows.iter().filter(|r| r.job_id.as_deref() == Some(job)).cloned().collect()),
            Request::Rules { etag } => Answer::Rules(etag.is_none().then(|| (Rules::shipped(), Some("\"r1\"".into())))),
        }
    }
}

/// The shell: executes effects, keeps what was saved, and the requests out.
struct Shell {
    worker: Worker,
    /// `chrome.storage.local`: what survives a worker's death.
    saved: (Settings, Outbox, StoredRules),
    out: Vec<(u64, Request)>,
    retry_at: Option<Timestamp>,
    jitter: f64,
}

impl Shell {
    fn run(&mut self, event: Event, now: Timestamp) {
        let fx = self.worker.step(event, now, self.jitter);
        self.execute(fx);
    }

    fn execute(&mut self, fx: Vec<Effect>) {
        for e in fx {
            match e {
                Effect::Fetch { seq, request, .. } => self.out.push((seq, request)),
                Effect::Save(keys) => {
                    for k in keys {
                        match k {
                            Stored::Settings => self.saved.0 = self.worker.settings.clone(),
                            Stored::Outbox => self.saved.1 = self.worker.outbox.clone(),
                            Stored::Rules => self.saved.2 = self.worker.rules.clone(),
                            Stored::NoFigures => {}
                        }
                    }
                }
                Effect::RetryAt(at) => self.retry_at = Some(at),
                Effect::Broadcast | Effect::Warn(_) | Effect::Notify(_) => {}
            }
        }
    }

    fn die(&mut self) {
        let (settings, outbox, rules) = self.saved.clone();
        self.worker = Worker::new(settings, outbox, rules, self.worker.config.clone());
        self.out.clear(); // their answers never arrive
        self.retry_at = None; // timers die with the worker; the alarms stay
    }
}

#[derive(Clone, Debug)]
enum Step {
    Click,
    Describe,
    Deliver,
    RequestLost,
    AnswerLost,
    Timer,
    Alarm,
    SyncNow,
    WorkerDies,
    WorkerDiesAndStarts,
    /// The options page saved again (same backend), mid-sync or not.
    SettingsSaved,
    RejectionsSeen,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::Click),
        1 => Just(Step::Describe),
        5 => Just(Step::Deliver),
        1 => Just(Step::RequestLost),
        1 => Just(Step::AnswerLost),
        1 => Just(Step::Timer),
        1 => Just(Step::Alarm),
        1 => Just(Step::SyncNow),
        1 => Just(Step::WorkerDies),
        1 => Just(Step::WorkerDiesAndStarts),
        1 => Just(Step::SettingsSaved),
        1 => Just(Step::RejectionsSeen),
    ]
}

proptest! {
    /// Whatever is lost or dies, once the network heals every click is applied exactly once
    /// (or rejected once, when the pool is empty), the outbox drains, and what was saved
    /// is what the worker holds.
    #[test]
    fn simulation_of_the_worker_loses_and_doubles_nothing(
        steps in proptest::collection::vec(step(), 1..150), allowance in 0u64..60, jitter in 0.0f64..1.0
    ) {
        let cfg = CreditConfig { lite_per_seat: allowance, ..CreditConfig::default() };
        let start = t0();
        let mut server = Server { ledger: Ledger::new(Plan::Lite, 1, None, start, &cfg).unwrap(), cfg: cfg.clone(), seen: HashMap::new(), applied: vec![], rows: vec![] };
        let w = worker();
        let saved = (w.settings.clone(), w.outbox.clone(), w.rules.clone());
        let mut shell = Shell { worker: w, saved, out: vec![], retry_at: None, jitter };
        shell.run(Event::Started, start);
        let mut clicks = 0u128;
        let mut now = start;
        for s in steps {
            now += Duration::seconds(3);
            match s {
                Step::Click => {
                    clicks += 1;
                    shell.run(Event::Click(ev(clicks)), now);
                    prop_assert!(shell.saved.1.pending.iter().any(|e| e.id == ev(clicks).id), "stored before acknowledged");
                }
                Step::Describe => {
                    let (_, fx) = shell.worker.describe(PAGE, &[cover_letter()], now);
                    shell.execute(fx);
                }
                Step::Deliver | Step::RequestLost | Step::AnswerLost if !shell.out.is_empty() => {
                    let (seq, request) = shell.out.remove(0);
                    let event = match s {
                        Step::Deliver => Event::Answered { seq, answer: server.answer(&request, now) },
                        Step::AnswerLost => {
                            server.answer(&request, now);
                            Event::Failed { seq, kind: SyncErrorKind::Network, message: "lost".into(), retry_after_secs: None }
                        }
                        _ => Event::Failed { seq, kind: SyncErrorKind::Network, message: "lost".into(), retry_after_secs: None },
                    };
                    shell.run(event, now);
                }
                Step::Deliver | Step::RequestLost | Step::AnswerLost => {}
                Step::Timer => if shell.retry_at.is_some_and(|at| at <= now) {
                    shell.retry_at = None;
                    shell.run(Event::Timer, now);
                },
                Step::Alarm => shell.run(Event::Alarm, now),
                Step::SyncNow => shell.run(Event::SyncNow, now),
                Step::WorkerDies => shell.die(),
                Step::WorkerDiesAndStarts => {
                    shell.die();
                    shell.run(Event::Started, now);
                }
                Step::SettingsSaved => {
                    let mut settings = shell.worker.settings.clone();
                    settings.confirm_regenerate = !settings.confirm_regenerate;
                    shell.run(Event::SettingsSaved(settings), now);
                }
                Step::RejectionsSeen => shell.run(Event::RejectionsSeen, now),
            }
            prop_assert!(shell.out.len() <= 1, "one request at a time");
            if let Some(p) = shell.worker.outbox.projection(&cfg.prices, cfg.low_percent) {
                prop_assert!(p.spendable <= allowance);
            }
        }
        // The network heals: the periodic alarm and every answer delivered, until idle.
        for round in 0..10_000 {
            let idle = shell.worker.outbox.pending.is_empty() && shell.out.is_empty() && !shell.worker.syncing();
            if idle && round > 0 {
                break;
            }
            now += Duration::seconds(60);
            if shell.out.is_empty() {
                shell.run(Event::Alarm, now);
            }
            while !shell.out.is_empty() {
                let (seq, request) = shell.out.remove(0);
                let answer = server.answer(&request, now);
                shell.run(Event::Answered { seq, answer }, now);
            }
        }
        prop_assert!(shell.worker.outbox.pending.is_empty(), "the outbox drains");
        prop_assert_eq!(&shell.saved.1, &shell.worker.outbox, "what is saved is what the worker holds");
        prop_assert_eq!(&shell.saved.0, &shell.worker.settings);
        let mut applied = server.applied.clone();
        applied.sort();
        applied.dedup();
        prop_assert_eq!(applied.len(), server.applied.len(), "an id applied twice");
        prop_assert_eq!(applied.len() as u128 + shell.worker.outbox.rejected.len() as u128, clicks, "every click answered once");
        prop_assert_eq!(applied.len() as u64, clicks.min(u128::from(allowance)) as u64, "exactly what the pool allowed");
        let b = server.ledger.balance(now, &cfg);
        let p = shell.worker.outbox.projection(&cfg.prices, cfg.low_percent).unwrap();
        prop_assert_eq!(p.spendable, b.spendable, "the badge shows the ledger's balance");
        if shell.worker.outbox.knows_job(JOB) {
            prop_assert_eq!(shell.worker.outbox.job_used(JOB, &cfg.prices), applied.len() as u64);
        }
    }
}

fn notified(fx: &[Effect]) -> Vec<AlertKind> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify(k) => Some(*k),
            _ => None,
        })
        .collect()
}

/// A sync with nothing pending whose balance answers `team` and `member`: what it notifies.
fn sync_balance(w: &mut Worker, team: crate::api::Balance, member: MemberBudget) -> Vec<AlertKind> {
    let (seq, req) = fetch(&w.step(Event::SyncNow, t0(), 0.5)).unwrap();
    assert_eq!(req, Request::Balance);
    let fx = w.step(Event::Answered { seq, answer: Answer::Balance(BalanceView { team, member }) }, t0(), 0.5);
    if let Some((seq, Request::Rules { .. })) = fetch(&fx) {
        w.step(Event::Answered { seq, answer: Answer::Rules(None) }, t0(), 0.5);
    }
    assert!(!w.syncing());
    notified(&fx)
}

#[test]
fn each_alert_line_is_notified_once_per_cycle_even_across_restarts() {
    let used_up = MemberBudget { used: 5, budget: Some(5), left: Some(0) };
    let mut w = worker();
    assert_eq!(sync_balance(&mut w, ledger_balance(250), NO_BUDGET), vec![], "nothing crossed");
    assert_eq!(sync_balance(&mut w, ledger_balance(250), used_up), vec![AlertKind::MemberBudgetExhausted]);
    assert_eq!(sync_balance(&mut w, ledger_balance(250), used_up), vec![], "said once");
    // A new worker life from what was saved: not said again.
    let mut w = Worker::new(w.settings.clone(), w.outbox.clone(), StoredRules::shipped(), CreditConfig::default());
    assert_eq!(sync_balance(&mut w, ledger_balance(250), used_up), vec![]);
    // The pool empties: the gravest new team line only (it is low too).
    let empty = crate::api::Balance { remaining: 0, spendable: 0, low: true, ..ledger_balance(250) };
    assert_eq!(sync_balance(&mut w, empty.clone(), used_up), vec![AlertKind::Depleted]);
    assert_eq!(w.outbox.notified.kinds.count_ones(), 3, "low is remembered with it");
    // A new cycle: said again.
    let next = crate::api::Balance { cycle_start: t("2026-12-01T00:00:00Z"), ..empty };
    assert_eq!(sync_balance(&mut w, next, used_up), vec![AlertKind::Depleted, AlertKind::MemberBudgetExhausted]);
}

#[test]
fn notifications_follow_the_setting() {
    let mut w = worker();
    w.settings.notify = false;
    let low = crate::api::Balance { low: true, ..ledger_balance(250) };
    assert_eq!(sync_balance(&mut w, low.clone(), NO_BUDGET), vec![]);
    w.settings.notify = true;
    assert_eq!(sync_balance(&mut w, low, NO_BUDGET), vec![AlertKind::Low]);
}
