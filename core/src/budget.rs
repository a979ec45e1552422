//! Member budgets: a cap on what one member may use per cycle inside the team's shared pool.
//!
//! A budget never adds credits: a charge must be payable by the pool (`Ledger::charge`) and
//! fit the member's budget. "Used" is the member's consumption this cycle from either bucket,
//! so it starts over with the cycle and a refund gives the credit back.

use crate::Timestamp;
use crate::api::{MemberBudget, MemberEntry, MemberUsage};
use crate::refusal::{ErrorCode, Refusal};

/// The largest budget one may set (a guard against typos, far below the storage's limits).
pub const MAX_BUDGET: u64 = 1_000_000_000;

/// One member's use this cycle against its budget, as the ledger checks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemberSpend {
    pub used: u64,
    pub budget: Option<u64>,
}

impl MemberSpend {
    /// Credits the member may still use this cycle; never negative (a budget set below what
    /// was used leaves 0). `None` without a budget.
    pub fn left(&self) -> Option<u64> {
        self.budget.map(|b| b.saturating_sub(self.used))
    }

    /// Whether a charge of `cost` fits the budget.
    pub fn allows(&self, cost: u64) -> bool {
        self.left().is_none_or(|left| left >= cost)
    }

    /// Counts a charge that was applied.
    pub fn charge(&mut self, cost: u64) {
        self.used = self.used.saturating_add(cost);
    }

    /// Whether this budget is used up (a budget of 0 included).
    pub fn exhausted(&self) -> bool {
        self.left() == Some(0)
    }

    /// The wire shape.
    pub fn view(&self) -> MemberBudget {
        MemberBudget { used: self.used, budget: self.budget, left: self.left() }
    }

    /// A member's entry of `GET /v1/members` (`last_active_at`: see [`MemberEntry`]).
    pub fn entry(usage: MemberUsage, budget: Option<u64>, last_active_at: Option<Timestamp>) -> MemberEntry {
        let left = MemberSpend { used: usage.used, budget }.left();
        MemberEntry { usage, budget, left, last_active_at }
    }
}

/// A budget an owner asks for: 0 ..= [`MAX_BUDGET`] credits per cycle, or none.
pub fn check_budget(credits: Option<u64>) -> Result<Option<u64>, Refusal> {
    match credits {
        Some(n) if n > MAX_BUDGET => Err(Refusal::new(ErrorCode::InvalidCredits, format!("a budget is at most {MAX_BUDGET} credits, got {n}"))),
        c => Ok(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Role;

    #[test]
    fn without_a_budget_everything_fits() {
        let s = MemberSpend { used: 1_000, budget: None };
        assert!(s.allows(u64::MAX));
        assert_eq!((s.left(), s.exhausted()), (None, false));
        assert_eq!(s.view(), MemberBudget { used: 1_000, budget: None, left: None });
    }

    #[test]
    fn a_budget_caps_and_never_goes_negative() {
        let mut s = MemberSpend { used: 0, budget: Some(3) };
        assert!(s.allows(3));
        assert!(!s.allows(4));
        s.charge(2);
        assert_eq!(s.left(), Some(1));
        assert!(s.allows(1) && !s.allows(2));
        s.charge(1);
        assert!(s.exhausted() && !s.allows(1));
        // Set below what was used: 0 left, not negative.
        let lowered = MemberSpend { used: 10, budget: Some(4) };
        assert_eq!(lowered.left(), Some(0));
        assert!(lowered.exhausted());
        assert_eq!(MemberSpend { used: 0, budget: Some(0) }.left(), Some(0));
    }

    #[test]
    fn entries_carry_budget_and_left() {
        let usage = MemberUsage { member_id: "m".into(), name: "Ana".into(), role: Role::Member, used: 7 };
        let e = MemberSpend::entry(usage.clone(), Some(5), None);
        assert_eq!((e.budget, e.left), (Some(5), Some(0)));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"member_id": "m", "name": "Ana", "role": "member", "used": 7, "budget": 5, "left": 0, "last_active_at": null})
        );
        let none = serde_json::to_value(MemberSpend::entry(usage, None, None)).unwrap();
        assert_eq!((&none["budget"], &none["left"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    }

    #[test]
    fn budgets_are_bounded() {
        assert_eq!(check_budget(None), Ok(None));
        assert_eq!(check_budget(Some(0)), Ok(Some(0)));
        assert_eq!(check_budget(Some(MAX_BUDGET)), Ok(Some(MAX_BUDGET)));
        assert_eq!(check_budget(Some(MAX_BUDGET + 1)).unwrap_err().code, ErrorCode::InvalidCredits);
    }
}
