//! The HTTP API's JSON shapes (SPEC section 3), shared by the backend and the extension.
//! They are the one schema: the backend's OpenAPI document is derived from them. Instants
//! are spelled `DateTime<Utc>` (the core's `Timestamp`) because utoipa recognises the type
//! by its name, not through an alias. An answer's `Option` field is sent as null, never left
//! out: `schema(required = true)` says so.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::plan::Plan;
use crate::refusal::ErrorCode;

/// A member's role in its team.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Member,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        [Role::Owner, Role::Member].into_iter().find(|r| r.code() == code)
    }
}

/// Which bucket paid for a consumption.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Monthly,
    Extra,
}

impl Bucket {
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Monthly => "monthly",
            Bucket::Extra => "extra",
        }
    }

    pub fn from_code(code: &str) -> Option<Bucket> {
        [Bucket::Monthly, Bucket::Extra].into_iter().find(|b| b.code() == code)
    }
}

/// `GET /v1/me`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub member_id: String,
    pub name: String,
    pub role: Role,
    pub team_id: String,
    pub team_name: String,
}

/// `GET /v1/balance`: the stat cards (SPEC rule 9) and `low` (rule 12).
///
/// `cycle_start` is an addition to the spec's field list: the start of the cycle the
/// counters describe (the trial's end once a trial is over), so a client can tell which
/// usage rows belong to this cycle.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub remaining: u64,
    pub used: u64,
    pub total: u64,
    pub extra: u64,
    pub spendable: u64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub resets_at: Option<DateTime<Utc>>,
    pub plan: Plan,
    pub seats: u32,
    pub low: bool,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub cycle_start: DateTime<Utc>,
}

/// One consumption event. The server judges each event of a batch alone: one that does not
/// fit is answered `rejected` and the rest of the batch still applies, so the schema is as
/// lenient as the server. (The type holds a valid event; `batch` judges raw ones.)
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// A client-made UUID; the ledger applies an id at most once. Another id is answered
    /// `invalid_event` (and echoed when it is a string).
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub id: uuid::Uuid,
    /// An action code; an unknown one is answered `unknown_action`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = false))]
    pub action: Action,
    /// Missing or null means false.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub regenerate: bool,
    /// `~0` followed by lowercase hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// RFC 3339; stored as the recording time when it is later than that.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime, required = false))]
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub occurred_at: DateTime<Utc>,
}

/// `POST /v1/usage` body (at most 1 MiB).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageBatch {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub events: Vec<UsageEvent>,
}

/// What the ledger answered for one event.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Applied,
    Duplicate,
    Rejected,
}

impl EventStatus {
    pub fn code(self) -> &'static str {
        match self {
            EventStatus::Applied => "applied",
            EventStatus::Duplicate => "duplicate",
            EventStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<EventStatus> {
        [EventStatus::Applied, EventStatus::Duplicate, EventStatus::Rejected].into_iter().find(|s| s.code() == code)
    }
}

/// Why an event was rejected.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    InsufficientCredits,
    UnknownAction,
    InvalidEvent,
    /// The pool could pay, but the member's budget for this cycle could not.
    MemberBudgetExhausted,
}

impl Reason {
    pub const ALL: [Reason; 4] = [Reason::InsufficientCredits, Reason::UnknownAction, Reason::InvalidEvent, Reason::MemberBudgetExhausted];

    pub fn code(self) -> &'static str {
        match self {
            Reason::InsufficientCredits => "insufficient_credits",
            Reason::UnknownAction => "unknown_action",
            Reason::InvalidEvent => "invalid_event",
            Reason::MemberBudgetExhausted => "member_budget_exhausted",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// One entry of `results`, in the order of the batch's events. `id` echoes the event's id
/// when it was a string (null when it was missing or not a string).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventResult {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub id: Option<String>,
    pub status: EventStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// `POST /v1/usage` answer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageAnswer {
    pub results: Vec<EventResult>,
    pub balance: Balance,
}

/// One row of the Usage History.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    pub id: String,
    pub action: Action,
    pub label: String,
    pub regenerate: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub job_id: Option<String>,
    pub member_id: String,
    pub member: String,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub occurred_at: DateTime<Utc>,
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub recorded_at: DateTime<Utc>,
    pub bucket: Bucket,
    /// Always negative: what the row took from the team (-1 today).
    pub credits: i64,
    pub refunded: bool,
}

/// `GET /v1/usage`: newest first; `next_before` is the cursor for the next page.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePage {
    pub rows: Vec<UsageRow>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_before: Option<String>,
}

/// `GET /v1/members`: one entry per member.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUsage {
    pub member_id: String,
    pub name: String,
    pub role: Role,
    pub used: u64,
}

/// A member's budget this cycle: a cap on its own use inside the shared pool (`budget` and
/// `left` are null where none is set).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberBudget {
    pub used: u64,
    pub budget: Option<u64>,
    pub left: Option<u64>,
}

/// One entry of `GET /v1/members` (and the answer of `PUT /v1/members/{id}/budget`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEntry {
    #[serde(flatten)]
    pub usage: MemberUsage,
    pub budget: Option<u64>,
    pub left: Option<u64>,
    /// When the member last used credits: the latest `occurred_at` of its applied usage
    /// rows, in any cycle, refunded ones included; null when it has none.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub last_active_at: Option<DateTime<Utc>>,
}

/// A [`MemberEntry`] read as plain fields, as the extension reads `GET /v1/members` (serde's
/// flatten would cost its WASM ~17 KiB); a test keeps the two the same JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub member_id: String,
    pub name: String,
    pub role: Role,
    pub used: u64,
    #[serde(default)]
    pub budget: Option<u64>,
    #[serde(default)]
    pub left: Option<u64>,
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub last_active_at: Option<DateTime<Utc>>,
}

/// `PUT /v1/members/{member_id}/budget` body: a budget in credits per cycle, or null for none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetRequest {
    pub credits: Option<u64>,
}

/// `GET /v1/balance`: the team's stat cards and the token's own member against its budget.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    #[serde(flatten)]
    pub team: Balance,
    pub member: MemberBudget,
}

/// `POST /v1/topups` body: a paid pack, recorded once per `id`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopupRequest {
    pub id: uuid::Uuid,
    /// At most the server's largest top-up (1,000,000 by default).
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub credits: u64,
}

/// The error shape of every 4xx: `{"error": {"code", "message"}}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody { error: ErrorDetail { code, message: message.into() } }
    }
}

/// `GET /v1/insights`: why credits empty fast, for the current cycle (SPEC rule 13).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    #[serde(deserialize_with = "crate::rfc3339::instant")]
    pub cycle_start: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub resets_at: Option<DateTime<Utc>>,
    /// Largest first.
    pub by_action: Vec<ActionCredits>,
    /// Largest first.
    pub by_member: Vec<MemberCredits>,
    pub regenerations: Regenerations,
    pub job_assistant_unused: JobAssistantUnused,
    pub matching: Matching,
    /// One entry per UTC day of the cycle so far, oldest first.
    pub daily: Vec<DailyCredits>,
    pub forecast: Forecast,
    /// A code this version does not know (a newer backend's) is skipped when read.
    #[serde(deserialize_with = "known_advice")]
    pub advice: Vec<Advice>,
}

fn known_advice<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Advice>, D::Error> {
    let codes: Vec<String> = Deserialize::deserialize(d)?;
    Ok(codes.iter().filter_map(|c| Advice::from_code(c)).collect())
}

/// `GET /v1/insights` as served: this cycle's insights and the plan advisor's advice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsView {
    #[serde(flatten)]
    pub insights: Insights,
    pub plan_advice: crate::insights::plan_advice::PlanAdvice,
}

/// What the extension reads of [`InsightsView`]'s `plan_advice`: the figures its sentence
/// says, read apart from [`Insights`] (no flatten, see [`MemberRow`]) and without the
/// options' prices or the cycles' dates (less WASM). A test reads it from a
/// [`PlanAdvice`](crate::insights::plan_advice::PlanAdvice)'s JSON.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PlanAdviceFigures {
    pub basis: crate::insights::plan_advice::AdviceBasis,
    pub per_cycle: u64,
    pub extra_per_cycle: u64,
    pub allowance: u64,
    pub recommendation: crate::insights::plan_advice::Recommendation,
    /// The recommended option first.
    pub options: Vec<PlanOptionFigures>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PlanOptionFigures {
    pub plan: Plan,
    pub seats: u32,
    pub credits: u64,
    pub top_up: Option<u64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionCredits {
    pub action: Action,
    pub label: String,
    pub credits: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCredits {
    pub member_id: String,
    pub name: String,
    pub credits: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Regenerations {
    pub credits: u64,
    /// Regenerations' share of the cycle's consumption, 0..=1.
    pub share: f64,
}

/// Job Assistant runs on jobs that never got a cover letter, an answer or a bid this cycle.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobAssistantUnused {
    pub jobs: u64,
    pub credits: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matching {
    pub job_matching: u64,
    pub auto_bid: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCredits {
    /// `YYYY-MM-DD`, UTC.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub date: String,
    pub credits: u64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Credits used this cycle per day elapsed (at least one day).
    pub per_day: f64,
    /// When spendable credits run out at that pace; null when they last past the reset.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub runs_out_at: Option<DateTime<Utc>>,
    /// Whole days between running out and the reset; null when there is no such gap.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub days_before_reset: Option<i64>,
}

/// Advice codes; the popup turns each into a sentence from seed 001.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    RaiseMatchThreshold,
    FilterBeforeOpening,
    FewerRegenerations,
    CoordinateMembers,
    ConsiderUpgrade,
}

impl Advice {
    pub const ALL: [Advice; 5] =
        [Advice::RaiseMatchThreshold, Advice::FilterBeforeOpening, Advice::FewerRegenerations, Advice::CoordinateMembers, Advice::ConsiderUpgrade];

    /// The API code (`fewer_regenerations`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Advice::RaiseMatchThreshold => "raise_match_threshold",
            Advice::FilterBeforeOpening => "filter_before_opening",
            Advice::FewerRegenerations => "fewer_regenerations",
            Advice::CoordinateMembers => "coordinate_members",
            Advice::ConsiderUpgrade => "consider_upgrade",
        }
    }

    pub fn from_code(code: &str) -> Option<Advice> {
        Advice::ALL.into_iter().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_advice_figures_read_from_the_advice() {
        use crate::insights::plan_advice::{AdviceBasis, CycleUse, PlanAdvice, PlanOption, Recommendation};
        let at: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let option = |kind, top_up| PlanOption { kind, plan: Plan::Pro, seats: 2, credits: 500, top_up, cost: Some(9.5) };
        let advice = PlanAdvice {
            basis: AdviceBasis::CompletedCycles,
            cycles: vec![CycleUse { start: at, end: at, used: 520, extra: 20 }; 2],
            per_cycle: 520,
            extra_per_cycle: 20,
            allowance: 500,
            recommendation: Recommendation::TopUp,
            options: vec![option(Recommendation::TopUp, Some(20)), option(Recommendation::Stay, None)],
            currency: Some("EUR".into()),
        };
        let f: PlanAdviceFigures = serde_json::from_value(serde_json::to_value(&advice).unwrap()).unwrap();
        assert_eq!((f.basis, f.per_cycle, f.extra_per_cycle, f.allowance), (AdviceBasis::CompletedCycles, 520, 20, 500));
        assert_eq!(f.recommendation, Recommendation::TopUp);
        assert_eq!(f.options[0], PlanOptionFigures { plan: Plan::Pro, seats: 2, credits: 500, top_up: Some(20) });
    }

    #[test]
    fn a_member_row_is_a_member_entry_read_plainly() {
        let usage = MemberUsage { member_id: "m".into(), name: "Ana".into(), role: Role::Member, used: 12 };
        let at: DateTime<Utc> = "2026-11-30T09:15:00.250Z".parse().unwrap();
        for (budget, last) in [(Some(40), Some(at)), (None, None)] {
            let entry = crate::budget::MemberSpend::entry(usage.clone(), budget, last);
            let json = serde_json::to_value(&entry).unwrap();
            let row: MemberRow = serde_json::from_value(json.clone()).unwrap();
            assert_eq!((row.used, row.budget, row.left, row.last_active_at), (12, budget, budget.map(|b| b - 12), last));
            assert_eq!(serde_json::to_value(&row).unwrap(), json);
            assert_eq!(serde_json::from_value::<MemberEntry>(json).unwrap(), entry);
        }
        let old: MemberRow = serde_json::to_value(&usage).and_then(serde_json::from_value).unwrap();
        assert_eq!((old.budget, old.left, old.last_active_at), (None, None, None), "an older backend's entry");
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for s in [EventStatus::Applied, EventStatus::Duplicate, EventStatus::Rejected] {
            assert_eq!(EventStatus::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        for b in [Bucket::Monthly, Bucket::Extra] {
            assert_eq!(Bucket::from_code(b.code()), Some(b));
        }
        for a in Advice::ALL {
            assert_eq!(Advice::from_code(a.code()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.code());
        }
        for r in [Role::Owner, Role::Member] {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(EventStatus::from_code("ok"), None);
    }
}
