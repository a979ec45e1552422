//! Property tests over random sequences of consumption events, top-ups, plan changes and
//! time passing (cycle resets), replayed the way the backend would: each event id's first
//! outcome is remembered and answers every replay.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use credits_core::api::{Bucket, UsageEvent};
use credits_core::batch::{Judged, Prior, Verdict, decide_batch};
use credits_core::ledger::Ledger;
use credits_core::{Action, CreditConfig, Plan, Timestamp};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// A batch of new events (`regenerate` flags), and how many earlier ids to replay in it.
    Batch(Vec<bool>, usize),
    TopUp(u64),
    Plan(Plan, u32),
    /// Time passes (hours), possibly across one or more resets.
    Wait(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (proptest::collection::vec(any::<bool>(), 1..30), 0usize..10).prop_map(|(e, r)| Op::Batch(e, r)),
        1 => (1u64..200).prop_map(Op::TopUp),
        1 => (prop_oneof![Just(Plan::Lite), Just(Plan::Pro), Just(Plan::Max)], 1u32..4).prop_map(|(p, s)| Op::Plan(p, s)),
        2 => (1i64..24 * 20).prop_map(Op::Wait),
    ]
}

fn small_cfg() -> CreditConfig {
    CreditConfig { lite_per_seat: 7, pro_per_seat: 15, max_per_seat: 40, trial_daily_per_seat: 3, ..CreditConfig::default() }
}

fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2027-01-31T23:59:59Z").unwrap().with_timezone(&Utc)
}

/// The backend in miniature: a ledger and the table of first outcomes.
#[derive(Clone)]
struct Book {
    ledger: Ledger,
    seen: HashMap<uuid::Uuid, Prior>,
    charged: Vec<(uuid::Uuid, Bucket, Timestamp)>,
    topped_up: u64,
}

impl Book {
    fn new(plan: Plan, now: Timestamp, cfg: &CreditConfig) -> Book {
        Book { ledger: Ledger::new(plan, 1, None, now, cfg).unwrap(), seen: HashMap::new(), charged: Vec::new(), topped_up: 0 }
    }

    fn apply(&mut self, events: &[Judged], now: Timestamp, cfg: &CreditConfig) -> Vec<Verdict> {
        let verdicts =
            decide_batch(&mut self.ledger, &mut credits_core::budget::MemberSpend::default(), events, |id| self.seen.get(id).copied(), now, cfg);
        for (e, v) in events.iter().zip(&verdicts) {
            let id = e.key().unwrap();
            match v {
                Verdict::Applied(c) => {
                    self.seen.insert(id, Prior::Applied);
                    self.charged.push((id, c.bucket, now));
                }
                Verdict::Rejected { reason, remember: true } => {
                    self.seen.insert(id, Prior::Rejected(*reason));
                }
                _ => {}
            }
        }
        verdicts
    }
}

fn event(n: u128, regenerate: bool, at: Timestamp) -> Judged {
    Judged::valid(UsageEvent { id: uuid::Uuid::from_u128(n), action: Action::CoverLetter, regenerate, job_id: None, occurred_at: at })
}

/// Every batch sent, with the moment it was sent.
type Sent = Vec<(Vec<Judged>, Timestamp)>;

/// Runs `ops`, checking the invariants after every step; returns the book and every batch sent.
fn run(ops: &[Op], plan: Plan, cfg: &CreditConfig) -> Result<(Book, Sent), TestCaseError> {
    let mut now = t0();
    let mut book = Book::new(plan, now, cfg);
    let mut next_id = 0u128;
    let mut sent = Vec::new();
    for op in ops {
        let before = book.ledger.balance(now, cfg);
        match op {
            Op::Batch(flags, replays) => {
                let mut events: Vec<Judged> = flags
                    .iter()
                    .map(|&r| {
                        next_id += 1;
                        event(next_id, r, now)
                    })
                    .collect();
                // Replays of earlier ids ride along (a client retrying after a lost answer).
                for k in 0..(*replays as u128).min(next_id.saturating_sub(flags.len() as u128)) {
                    events.push(event(k + 1, false, now));
                }
                let verdicts = book.apply(&events, now, cfg);
                let applied = verdicts.iter().filter(|v| matches!(v, Verdict::Applied(_))).count() as u64;
                let after = book.ledger.balance(now, cfg);
                prop_assert_eq!(after.used, before.used + applied, "consumed credits equal applied events");
                prop_assert_eq!(before.spendable - after.spendable, applied);
                for (e, v) in events.iter().zip(&verdicts) {
                    if e.key().unwrap().as_u128() <= next_id - flags.len() as u128 {
                        prop_assert!(!matches!(v, Verdict::Applied(_)), "a replay was applied");
                    }
                }
                sent.push((events, now));
            }
            Op::TopUp(c) => {
                book.ledger.top_up(*c, cfg).unwrap();
                book.topped_up += c;
                prop_assert_eq!(book.ledger.balance(now, cfg).extra, before.extra + c);
            }
            Op::Plan(p, s) => {
                book.ledger.change_plan(Some(*p), Some(*s), now, cfg).unwrap();
                let after = book.ledger.balance(now, cfg);
                prop_assert_eq!(after.total, cfg.allowance(*p, *s), "a plan change applies at once");
                prop_assert_eq!(after.extra, before.extra);
            }
            Op::Wait(h) => {
                now += Duration::hours(*h);
                let after = book.ledger.balance(now, cfg);
                prop_assert_eq!(after.extra, before.extra, "a reset never touches Extra");
                if after.cycle_start != before.cycle_start {
                    prop_assert_eq!(after.remaining, after.total, "the monthly pool is whole after a reset");
                    prop_assert_eq!(after.used, 0);
                }
            }
        }
        let b = book.ledger.balance(now, cfg);
        prop_assert!(b.remaining <= b.total);
        prop_assert_eq!(b.spendable, b.remaining + b.extra);
        // Extra only ever holds what was topped up, less what it paid.
        let paid_by_extra = book.charged.iter().filter(|c| c.1 == Bucket::Extra).count() as u64;
        prop_assert_eq!(b.extra + paid_by_extra, book.topped_up);
    }
    Ok((book, sent))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn invariants_hold_over_random_histories(ops in proptest::collection::vec(op(), 1..60), trial in any::<bool>()) {
        let cfg = small_cfg();
        let plan = if trial { Plan::Trial } else { Plan::Lite };
        run(&ops, plan, &cfg)?;
    }

    #[test]
    fn extra_is_spent_only_when_the_monthly_pool_is_empty(ops in proptest::collection::vec(op(), 1..60)) {
        let cfg = small_cfg();
        let mut now = t0();
        let mut book = Book::new(Plan::Pro, now, &cfg);
        let mut n = 0u128;
        for op in &ops {
            match op {
                Op::Batch(flags, _) => for _ in flags {
                    n += 1;
                    let before = book.ledger.balance(now, &cfg);
                    if let Verdict::Applied(c) = &book.apply(&[event(n, false, now)], now, &cfg)[0] {
                        prop_assert_eq!(c.bucket == Bucket::Extra, before.remaining == 0);
                    } else {
                        prop_assert_eq!(before.spendable, 0, "refused only when nothing is spendable");
                    }
                },
                Op::TopUp(c) => book.ledger.top_up(*c, &cfg).unwrap(),
                Op::Plan(p, s) => book.ledger.change_plan(Some(*p), Some(*s), now, &cfg).unwrap(),
                Op::Wait(h) => now += Duration::hours(*h),
            }
        }
    }

    #[test]
    fn replaying_any_prefix_changes_nothing(ops in proptest::collection::vec(op(), 1..40), cut in any::<prop::sample::Index>()) {
        let cfg = small_cfg();
        let (book, sent) = run(&ops, Plan::Lite, &cfg)?;
        if sent.is_empty() {
            return Ok(());
        }
        let prefix = &sent[..=cut.index(sent.len())];
        let mut replayed = book.clone();
        let now = sent.last().unwrap().1 + Duration::hours(1);
        for (events, _) in prefix {
            for v in replayed.apply(events, now, &cfg) {
                prop_assert!(!matches!(v, Verdict::Applied(_)));
            }
        }
        prop_assert_eq!(replayed.ledger, book.ledger);
        prop_assert_eq!(replayed.charged.len(), book.charged.len());
    }

    #[test]
    fn one_long_run_equals_the_same_events_in_pieces(flags in proptest::collection::vec(any::<bool>(), 1..200), cuts in proptest::collection::vec(1usize..40, 1..10), topup in 0u64..50) {
        let cfg = small_cfg();
        let now = t0() + Duration::hours(5);
        let events: Vec<Judged> = flags.iter().enumerate().map(|(i, &r)| event(i as u128 + 1, r, now)).collect();
        let mut whole = Book::new(Plan::Lite, t0(), &cfg);
        let mut pieces = whole.clone();
        if topup > 0 {
            whole.ledger.top_up(topup, &cfg).unwrap();
            pieces.ledger.top_up(topup, &cfg).unwrap();
        }
        let one = whole.apply(&events, now, &cfg);
        let mut many = Vec::new();
        let mut rest = &events[..];
        for c in cuts.iter().cycle() {
            if rest.is_empty() { break; }
            let (head, tail) = rest.split_at((*c).min(rest.len()));
            many.extend(pieces.apply(head, now, &cfg));
            rest = tail;
        }
        prop_assert_eq!(one, many);
        prop_assert_eq!(whole.ledger, pieces.ledger);
    }
}
