//! The AI actions that cost credits, the labels users see, and their prices.

use serde::{Deserialize, Serialize};

/// An AI action, named as the API and the Usage History name it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CoverLetter,
    JobAssistant,
    JobMatching,
    AutoBid,
    Answer,
    AiImprove,
    AiGenerate,
    TestTemplate,
}

impl Action {
    /// Every action, in the order the product lists them.
    pub const ALL: [Action; 8] = [
        Action::CoverLetter,
        Action::JobAssistant,
        Action::JobMatching,
        Action::AutoBid,
        Action::Answer,
        Action::AiImprove,
        Action::AiGenerate,
        Action::TestTemplate,
    ];

    /// The API code (`cover_letter`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Action::CoverLetter => "cover_letter",
            Action::JobAssistant => "job_assistant",
            Action::JobMatching => "job_matching",
            Action::AutoBid => "auto_bid",
            Action::Answer => "answer",
            Action::AiImprove => "ai_improve",
            Action::AiGenerate => "ai_generate",
            Action::TestTemplate => "test_template",
        }
    }

    /// The label shown in the Usage History.
    pub fn label(self) -> &'static str {
        match self {
            Action::CoverLetter => "Cover Letter",
            Action::JobAssistant => "Job Assistant",
            Action::JobMatching => "Job Matching",
            Action::AutoBid => "Auto Bid",
            Action::Answer => "Answer",
            Action::AiImprove => "AI Improve",
            Action::AiGenerate => "AI Generate",
            Action::TestTemplate => "Test Template",
        }
    }

    /// The action for an API code, if it is one.
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
}

impl core::fmt::Display for Action {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

/// What each action costs, in whole credits. Every entry is 1 today (seed 001); a per-action
/// price is a change of this table, not of code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTable {
    prices: Vec<(Action, u32)>,
}

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable { prices: Action::ALL.iter().map(|&a| (a, 1)).collect() }
    }
}

impl PriceTable {
    /// A table from explicit prices; an action left out costs 1. A price of 0 is refused:
    /// a free action would never reach the ledger and break "one row per consumption".
    pub fn new(prices: &[(Action, u32)]) -> Result<Self, &'static str> {
        if prices.iter().any(|&(_, p)| p == 0) {
            return Err("a price must be at least 1 credit");
        }
        let mut table = PriceTable::default();
        for &(action, price) in prices {
            if let Some(entry) = table.prices.iter_mut().find(|(a, _)| *a == action) {
                entry.1 = price;
            }
        }
        Ok(table)
    }

    /// The credits one run of `action` costs; a regeneration costs the same again.
    pub fn cost(&self, action: Action) -> u32 {
        self.prices.iter().find(|(a, _)| *a == action).map_or(1, |&(_, p)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.code()));
        }
        assert_eq!(Action::from_code("check_fit"), None);
        assert_eq!(Action::AiImprove.label(), "AI Improve");
        assert_eq!(Action::JobAssistant.label(), "Job Assistant");
    }

    #[test]
    fn every_action_costs_one_credit_today() {
        let prices = PriceTable::default();
        for a in Action::ALL {
            assert_eq!(prices.cost(a), 1, "{a}");
        }
    }

    #[test]
    fn a_price_change_is_data() {
        let prices = PriceTable::new(&[(Action::AutoBid, 3)]).unwrap();
        assert_eq!(prices.cost(Action::AutoBid), 3);
        assert_eq!(prices.cost(Action::CoverLetter), 1);
        assert!(PriceTable::new(&[(Action::Answer, 0)]).is_err());
    }
}
