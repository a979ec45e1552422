//! Property tests of member budgets: over random batches from several members with random
//! budgets (changed mid-way, some below what was used), no member ever goes past its budget
//! through a charge, the pool is charged exactly what the members were, and an event is
//! refused for the budget only when the budget cannot take it.

use chrono::{DateTime, Utc};
use credits_core::api::{Reason, UsageEvent};
use credits_core::batch::{Judged, Verdict, decide_batch};
use credits_core::budget::MemberSpend;
use credits_core::ledger::Ledger;
use credits_core::{Action, CreditConfig, Plan, Timestamp};
use proptest::prelude::*;

fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2027-01-10T00:00:00Z").unwrap().with_timezone(&Utc)
}

#[derive(Clone, Debug)]
enum Op {
    /// Member `m` sends a batch of actions (index into a few actions of different prices).
    Batch(usize, Vec<usize>),
    /// The owner sets or clears member `m`'s budget.
    Budget(usize, Option<u64>),
    TopUp(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..3, proptest::collection::vec(0usize..4, 1..20)).prop_map(|(m, a)| Op::Batch(m, a)),
        2 => (0usize..3, proptest::option::of(0u64..30)).prop_map(|(m, b)| Op::Budget(m, b)),
        1 => (1u64..40).prop_map(Op::TopUp),
    ]
}

const ACTIONS: [Action; 4] = [Action::Answer, Action::CoverLetter, Action::JobMatching, Action::AutoBid];

proptest! {
    #[test]
    fn budgets_cap_members_and_never_add_credits(ops in proptest::collection::vec(op(), 1..40)) {
        let cfg = CreditConfig { pro_per_seat: 60, ..CreditConfig::default() };
        let now = t0();
        let mut ledger = Ledger::new(Plan::Pro, 1, None, now, &cfg).unwrap();
        let mut members = [MemberSpend::default(); 3];
        let mut next_id = 0u128;
        for op in ops {
            match op {
                Op::Budget(m, b) => members[m].budget = b,
                Op::TopUp(n) => ledger.top_up(n, &cfg).unwrap(),
                Op::Batch(m, actions) => {
                    let events: Vec<Judged> = actions.iter().map(|&a| {
                        next_id += 1;
                        Judged::valid(UsageEvent { id: uuid::Uuid::from_u128(next_id), action: ACTIONS[a], regenerate: false, job_id: None, occurred_at: now })
                    }).collect();
                    let used_before = ledger.balance(now, &cfg).used;
                    let member_before = members[m];
                    let mut spend = members[m];
                    let verdicts = decide_batch(&mut ledger, &mut spend, &events, |_| None, now, &cfg);
                    let mut charged = 0;
                    let mut probe = member_before;
                    for (e, v) in events.iter().zip(&verdicts) {
                        let Judged::Valid { event: e, .. } = e else { unreachable!() };
                        let cost = u64::from(cfg.prices.cost(e.action));
                        match v {
                            Verdict::Applied(c) => {
                                prop_assert!(probe.allows(c.credits), "charged past the budget");
                                probe.charge(c.credits);
                                charged += c.credits;
                            }
                            Verdict::Rejected { reason: Reason::MemberBudgetExhausted, .. } => prop_assert!(!probe.allows(cost)),
                            Verdict::Rejected { reason: Reason::InsufficientCredits, .. } => {}
                            other => prop_assert!(false, "{other:?}"),
                        }
                    }
                    prop_assert_eq!(spend, probe);
                    prop_assert_eq!(ledger.balance(now, &cfg).used, used_before + charged, "the pool is charged what the member was");
                    if let Some(b) = spend.budget {
                        prop_assert!(spend.used <= b.max(member_before.used), "a charge never passes the budget");
                    }
                    prop_assert!(spend.left().is_none_or(|l| l <= spend.budget.unwrap()), "left is never negative nor above the budget");
                    members[m] = spend;
                }
            }
        }
    }
}
