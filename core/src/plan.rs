//! Plans, their allowances, and the configuration the rules read.

use serde::{Deserialize, Serialize};

use crate::action::PriceTable;

/// A team's plan. `Trial` is the 14-day trial with a daily allowance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Trial,
    Lite,
    Pro,
    Max,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Trial, Plan::Lite, Plan::Pro, Plan::Max];

    pub fn code(self) -> &'static str {
        match self {
            Plan::Trial => "trial",
            Plan::Lite => "lite",
            Plan::Pro => "pro",
            Plan::Max => "max",
        }
    }

    pub fn from_code(code: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn is_paid(self) -> bool {
        self != Plan::Trial
    }
}

impl core::fmt::Display for Plan {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything the credit rules treat as configuration rather than code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditConfig {
    /// Monthly credits per seat: Lite, Pro, Max.
    pub lite_per_seat: u64,
    pub pro_per_seat: u64,
    pub max_per_seat: u64,
    /// The trial's daily allowance per seat, and its length in days.
    pub trial_daily_per_seat: u64,
    pub trial_days: u32,
    /// Extra Credits packs offered by Top Up, in credits.
    pub packs: Vec<u64>,
    /// The largest single top-up the ledger records.
    pub max_topup: u64,
    /// `low` is spendable <= this percent of Total Credits (a team may override it).
    pub low_percent: u8,
    pub prices: PriceTable,
}

impl Default for CreditConfig {
    fn default() -> Self {
        CreditConfig {
            lite_per_seat: 100,
            pro_per_seat: 250,
            max_per_seat: 500,
            trial_daily_per_seat: 20,
            trial_days: 14,
            packs: vec![100, 500, 1000],
            max_topup: 1_000_000,
            low_percent: 10,
            prices: PriceTable::default(),
        }
    }
}

impl CreditConfig {
    /// The allowance one seat brings to one cycle of `plan` (a day for the trial).
    pub fn per_seat(&self, plan: Plan) -> u64 {
        match plan {
            Plan::Trial => self.trial_daily_per_seat,
            Plan::Lite => self.lite_per_seat,
            Plan::Pro => self.pro_per_seat,
            Plan::Max => self.max_per_seat,
        }
    }

    /// A cycle's allowance for the whole team: per seat × seats.
    pub fn allowance(&self, plan: Plan, seats: u32) -> u64 {
        self.per_seat(plan).saturating_mul(u64::from(seats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_is_per_seat_times_seats() {
        let cfg = CreditConfig::default();
        assert_eq!(cfg.allowance(Plan::Pro, 3), 750, "seed: Pro with 3 seats");
        assert_eq!(cfg.allowance(Plan::Lite, 1), 100);
        assert_eq!(cfg.allowance(Plan::Max, 2), 1000);
        assert_eq!(cfg.allowance(Plan::Trial, 2), 40);
    }

    #[test]
    fn plan_codes_round_trip() {
        for p in Plan::ALL {
            assert_eq!(Plan::from_code(p.code()), Some(p));
        }
        assert_eq!(Plan::from_code("enterprise"), None);
        assert!(!Plan::Trial.is_paid() && Plan::Lite.is_paid());
    }
}
