//! The audit trail's wire shapes: every owner or operator action (top-up, refund, plan or
//! seat change, member added, token issued, member revoked or restored, rules change), who
//! did it, when, and the state before and after. The backend records an entry in the same
//! transaction as the action; `GET /v1/audit` and `credits-backend audit` list them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What was done.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    TeamCreated,
    Topup,
    Refund,
    PlanChanged,
    MemberAdded,
    TokenIssued,
    MemberRevoked,
    MemberRestored,
    RulesChanged,
    BudgetChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 10] = [
        AuditAction::TeamCreated,
        AuditAction::Topup,
        AuditAction::Refund,
        AuditAction::PlanChanged,
        AuditAction::MemberAdded,
        AuditAction::TokenIssued,
        AuditAction::MemberRevoked,
        AuditAction::MemberRestored,
        AuditAction::RulesChanged,
        AuditAction::BudgetChanged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::TeamCreated => "team_created",
            AuditAction::Topup => "topup",
            AuditAction::Refund => "refund",
            AuditAction::PlanChanged => "plan_changed",
            AuditAction::MemberAdded => "member_added",
            AuditAction::TokenIssued => "token_issued",
            AuditAction::MemberRevoked => "member_revoked",
            AuditAction::MemberRestored => "member_restored",
            AuditAction::RulesChanged => "rules_changed",
            AuditAction::BudgetChanged => "budget_changed",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Who acted: an operator at the command line, or a team member over the API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Cli,
    Member { member_id: String },
}

/// One recorded action. `before` and `after` are the state it changed (a balance, a
/// member, the rules' ETag), absent where there was none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing in recording order; also the page cursor.
    pub id: i64,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub at: DateTime<Utc>,
    /// The team acted on; absent for the rules, which are the service's.
    pub team_id: Option<String>,
    pub actor: Actor,
    pub action: AuditAction,
    /// What was acted on: a top-up, usage row or member id.
    pub subject: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// `GET /v1/audit`: newest first; `next_before` is the cursor for the next page.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.code());
        }
        assert_eq!(AuditAction::from_code("nope"), None);
        assert_eq!(serde_json::to_value(Actor::Cli).unwrap(), serde_json::json!({ "kind": "cli" }));
        assert_eq!(serde_json::to_value(Actor::Member { member_id: "m".into() }).unwrap(), serde_json::json!({ "kind": "member", "member_id": "m" }));
    }
}
