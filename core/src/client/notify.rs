//! Browser notifications at the backend's alert lines (`crate::alerts`), each at most once
//! per cycle: decided from the balance the worker learns, remembered in the outbox (persisted,
//! so a new worker life does not say it again).

use serde::{Deserialize, Serialize};

use super::outbox::KnownBalance;
use crate::alerts::AlertKind;
use crate::cycle::Timestamp;

/// The kinds already notified in the cycle starting at `cycle`: one bit each, by their
/// place in `AlertKind::ALL` (a number keeps the stored form and the WASM small).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notified {
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub cycle: Option<Timestamp>,
    pub kinds: u8,
}

fn bit(kind: AlertKind) -> u8 {
    1 << AlertKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// The lines the known figures are past: the team's (low, monthly pool empty while extra
/// pays, nothing left) and this member's budget.
pub fn holding(known: &KnownBalance) -> Vec<AlertKind> {
    let b = &known.balance;
    let member_out = known.member.is_some_and(|m| m.left == Some(0));
    [
        (AlertKind::Low, b.low),
        (AlertKind::MonthlyExhausted, b.remaining == 0 && b.extra > 0),
        (AlertKind::Depleted, b.spendable == 0),
        (AlertKind::MemberBudgetExhausted, member_out),
    ]
    .into_iter()
    .filter_map(|(k, on)| on.then_some(k))
    .collect()
}

impl Notified {
    /// What to notify now: each held line not yet notified this cycle, remembered. Of the
    /// team's lines only the gravest new one is said (an empty pool is also low).
    pub fn due(&mut self, known: &KnownBalance) -> Vec<AlertKind> {
        if self.cycle != Some(known.balance.cycle_start) {
            *self = Notified { cycle: Some(known.balance.cycle_start), kinds: 0 };
        }
        let new: Vec<AlertKind> = holding(known).into_iter().filter(|k| self.kinds & bit(*k) == 0).collect();
        self.kinds |= new.iter().fold(0, |bits, k| bits | bit(*k));
        let team = new.iter().rev().find(|k| !k.per_member()).copied();
        team.into_iter().chain(new.into_iter().filter(|k| k.per_member())).collect()
    }
}
