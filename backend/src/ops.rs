//! The backend's operations, shared by the HTTP handlers and the command line. Each write
//! is one transaction: lock the team's ledger row, load the core's `Ledger`, let the core
//! decide, store what it decided, write the ledger back, commit. No credit rule lives here.

use std::future::Future;

use credits_core::api::{Balance, Bucket, MemberBudget, Reason, Role, TopupRequest};
use credits_core::audit::{AuditAction, AuditEntry};
use credits_core::batch::{Judged, Prior, Verdict, decide_batch};
use credits_core::recognition::Rules;
use credits_core::topup::{TopupOutcome, apply_topup};
use credits_core::{CreditConfig, ErrorCode, Ledger, Plan, Timestamp};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth;
use crate::db::audit::{self, NewEntry};
use crate::db::budgets;
use crate::db::queries::{self, Member, NewEvent, Principal};
use crate::db::{Store, Tx, is_retryable, revocation};
use crate::errors::ApiError;
use crate::webhooks::{self, Crossing};

/// The moment of a request, read once and truncated to milliseconds (what both engines
/// store), so what the core decided and what was stored agree exactly.
pub fn now() -> Timestamp {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

pub(crate) enum TxError {
    Db(sqlx::Error),
    Api(ApiError),
}

impl From<sqlx::Error> for TxError {
    fn from(e: sqlx::Error) -> Self {
        TxError::Db(e)
    }
}

impl From<ApiError> for TxError {
    fn from(e: ApiError) -> Self {
        TxError::Api(e)
    }
}

impl From<credits_core::Refusal> for TxError {
    fn from(r: credits_core::Refusal) -> Self {
        TxError::Api(r.into())
    }
}

/// Runs a transaction, again when PostgreSQL reports a conflict that a fresh attempt
/// resolves (see [`is_retryable`]). A failed attempt has been rolled back (dropped).
pub(crate) async fn transaction<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TxError>>,
{
    const ATTEMPTS: u32 = 5;
    for n in 1.. {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(TxError::Db(e)) if n < ATTEMPTS && is_retryable(&e) => tracing::debug!(error = %e, attempt = n, "retrying transaction"),
            Err(TxError::Db(e)) => return Err(e.into()),
            Err(TxError::Api(e)) => return Err(e),
        }
    }
    unreachable!()
}

pub(crate) fn team_not_found(team: &str) -> ApiError {
    ApiError::new(ErrorCode::TeamNotFound, format!("no team {team}"))
}

pub(crate) fn member_not_found(member: &str) -> ApiError {
    ApiError::new(ErrorCode::MemberNotFound, format!("no member {member}"))
}

/// Locks and loads the team's ledger inside `tx`.
pub(crate) async fn locked_ledger(tx: &mut Tx, team: &str) -> Result<Ledger, TxError> {
    queries::ledger(tx.conn(), team, true).await?.ok_or_else(|| team_not_found(team).into())
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::new(ErrorCode::InvalidName, "a name must be 1 to 200 characters"));
    }
    Ok(name.to_owned())
}

/// What a usage batch came to: one verdict per event, in order, and the balance after it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub verdicts: Vec<Verdict>,
    pub balance: Balance,
    /// The member against its budget after the batch.
    pub member: MemberBudget,
}

/// Records a judged usage batch for the token's member.
pub async fn record_usage(store: &Store, who: &Principal, events: &[Judged], now: Timestamp, cfg: &CreditConfig) -> Result<Recorded, ApiError> {
    let keys: Vec<uuid::Uuid> = events.iter().filter_map(Judged::key).collect();
    transaction(|| async {
        let mut tx = store.begin().await?;
        let mut ledger = locked_ledger(&mut tx, &who.team_id).await?;
        let before = ledger.clone();
        // Looked up under the lock, so a concurrent batch's ids are visible here.
        let priors = queries::event_priors(tx.conn(), &keys).await?;
        let prior = |id: &uuid::Uuid| {
            priors.get(id).map(|(team, prior)| {
                // Ids are global; another team's id is not this event's to replay. It is
                // answered as invalid (never as a duplicate) and nothing about it is shown.
                if *team == who.team_id { *prior } else { Prior::Rejected(Reason::InvalidEvent) }
            })
        };
        // Under the same lock: a concurrent batch of this member has committed or waits.
        let balance_before = ledger.balance(now, cfg);
        let mut member = budgets::spend(tx.conn(), &who.member_id, balance_before.cycle_start).await?;
        let member_before = member;
        let verdicts = decide_batch(&mut ledger, &mut member, events, prior, now, cfg);
        let rows = new_rows(who, events, &verdicts, now)?;
        queries::insert_events(tx.conn(), &rows).await?;
        if member != member_before {
            budgets::store_count(tx.conn(), &who.member_id, balance_before.cycle_start, member.used).await?;
        }
        if ledger != before {
            queries::save_ledger(tx.conn(), &who.team_id, &ledger).await?;
        }
        let balance = ledger.balance(now, cfg);
        // Alerts are decided and stored in this same transaction (never twice, never lost).
        let extra_paid = verdicts.iter().any(|v| matches!(v, Verdict::Applied(c) if c.bucket == Bucket::Extra));
        let crossing = Crossing { who, before: &balance_before, after: &balance, extra_paid, member_before: &member_before, member_after: &member };
        webhooks::fire(&mut tx, crossing, now).await?;
        tx.commit().await?;
        Ok(Recorded { verdicts, balance, member: member.view() })
    })
    .await
}

/// The rows the verdicts ask to store: applied charges and first rejections with an id.
fn new_rows<'a>(who: &'a Principal, events: &'a [Judged], verdicts: &[Verdict], now: Timestamp) -> Result<Vec<NewEvent<'a>>, ApiError> {
    let mut rows = Vec::new();
    for (judged, verdict) in events.iter().zip(verdicts) {
        let (reason, charged) = match verdict {
            Verdict::Applied(c) => (None, Some(c)),
            Verdict::Rejected { reason, remember: true } => (Some(*reason), None),
            _ => continue,
        };
        let id = judged.key().ok_or_else(|| ApiError::Internal("a verdict to store has no id".into()))?;
        let valid = match judged {
            Judged::Valid { event, .. } => Some(event),
            Judged::Invalid { .. } => None,
        };
        if charged.is_some() && valid.is_none() {
            return Err(ApiError::Internal("an invalid event was charged".into()));
        }
        rows.push(NewEvent {
            id: id.to_string(),
            team_id: &who.team_id,
            member_id: &who.member_id,
            reason,
            action: valid.map(|e| e.action),
            regenerate: valid.is_some_and(|e| e.regenerate),
            job_id: valid.and_then(|e| e.job_id.as_deref()),
            occurred_at: charged.map(|c| c.occurred_at).or(valid.map(|e| e.occurred_at)),
            recorded_at: charged.map_or(now, |c| c.recorded_at),
            bucket: charged.map(|c| c.bucket),
            credits: charged.map_or(0, |c| c.credits),
        });
    }
    Ok(rows)
}

/// Records a paid pack, idempotent by its id. `member` is who asked (none from the CLI).
pub async fn top_up(
    store: &Store,
    team: &str,
    member: Option<&str>,
    request: &TopupRequest,
    now: Timestamp,
    cfg: &CreditConfig,
) -> Result<Balance, ApiError> {
    let id = request.id.to_string();
    transaction(|| async {
        let mut tx = store.begin().await?;
        let mut ledger = locked_ledger(&mut tx, team).await?;
        let prior = match queries::topup_prior(tx.conn(), &id).await? {
            Some((owner, _)) if owner != team => {
                return Err(ApiError::new(ErrorCode::TopupIdReused, format!("top-up id {id} is already taken")).into());
            }
            prior => prior.map(|(_, credits)| credits),
        };
        let before = ledger.balance(now, cfg);
        let recorded = apply_topup(&mut ledger, request, prior, cfg)? == TopupOutcome::Recorded;
        let balance = ledger.balance(now, cfg);
        if recorded {
            queries::insert_topup(tx.conn(), &id, team, request.credits, member, now).await?;
            queries::save_ledger(tx.conn(), team, &ledger).await?;
            let entry =
                NewEntry { member_id: member, subject: Some(&id), ..entry(now, Some(team), AuditAction::Topup, state(&before), state(&balance)) };
            audit::insert(tx.conn(), &entry).await?;
        }
        tx.commit().await?;
        Ok(balance)
    })
    .await
}

/// A plan or seat change, effective at once.
pub async fn set_plan(
    store: &Store,
    team: &str,
    plan: Option<Plan>,
    seats: Option<u32>,
    now: Timestamp,
    cfg: &CreditConfig,
) -> Result<Balance, ApiError> {
    transaction(|| async {
        let mut tx = store.begin().await?;
        let mut ledger = locked_ledger(&mut tx, team).await?;
        let before = ledger.balance(now, cfg);
        ledger.change_plan(plan, seats, now, cfg)?;
        queries::save_ledger(tx.conn(), team, &ledger).await?;
        let balance = ledger.balance(now, cfg);
        audit::insert(tx.conn(), &entry(now, Some(team), AuditAction::PlanChanged, state(&before), state(&balance))).await?;
        tx.commit().await?;
        Ok(balance)
    })
    .await
}

/// A support refund of one usage row of the team.
pub async fn refund(store: &Store, team: &str, usage: &str, now: Timestamp, cfg: &CreditConfig) -> Result<Balance, ApiError> {
    let not_found = || ApiError::new(ErrorCode::UsageNotFound, format!("team {team} has no usage row {usage}"));
    let id = uuid::Uuid::try_parse(usage).map_err(|_| not_found())?.to_string();
    transaction(|| async {
        let mut tx = store.begin().await?;
        let mut ledger = locked_ledger(&mut tx, team).await?;
        let target = queries::refund_target(tx.conn(), team, &id).await?.ok_or_else(not_found)?;
        let before = ledger.balance(now, cfg);
        ledger.refund(target, now, cfg)?;
        queries::mark_refunded(tx.conn(), &id).await?;
        budgets::uncount(tx.conn(), &id).await?;
        queries::save_ledger(tx.conn(), team, &ledger).await?;
        let balance = ledger.balance(now, cfg);
        let refunded = NewEntry { subject: Some(&id), ..entry(now, Some(team), AuditAction::Refund, state(&before), state(&balance)) };
        audit::insert(tx.conn(), &refunded).await?;
        tx.commit().await?;
        Ok(balance)
    })
    .await
}

/// Creates a team and its ledger; returns the team id.
pub async fn create_team(
    store: &Store,
    name: &str,
    plan: Plan,
    seats: u32,
    anchor: Option<Timestamp>,
    now: Timestamp,
    cfg: &CreditConfig,
) -> Result<String, ApiError> {
    let name = check_name(name)?;
    // Stored in milliseconds, so the anchor is too (cycle boundaries derive from it).
    let anchor = anchor.map(|a| chrono::DateTime::from_timestamp_millis(a.timestamp_millis()).unwrap_or(a));
    let ledger = Ledger::new(plan, seats, anchor, now, cfg)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = store.begin().await?;
    queries::insert_team(tx.conn(), &id, &name, now, &ledger).await?;
    let after = serde_json::json!({ "name": name, "balance": ledger.balance(now, cfg) });
    audit::insert(tx.conn(), &NewEntry { subject: Some(&id), ..entry(now, Some(&id), AuditAction::TeamCreated, None, Some(after)) }).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a member to a team; returns the member id and its first token.
pub async fn add_member(store: &Store, team: &str, name: &str, role: Role, now: Timestamp) -> Result<(String, String), ApiError> {
    let name = check_name(name)?;
    let member = Member { id: uuid::Uuid::new_v4().to_string(), team_id: team.to_owned(), name, role };
    let token = auth::new_token();
    let mut tx = store.begin().await?;
    queries::team_name(tx.conn(), team).await?.ok_or_else(|| team_not_found(team))?;
    queries::insert_member(tx.conn(), &member, now).await?;
    queries::insert_token(tx.conn(), &auth::token_hash(&token), &member.id, now).await?;
    let after = serde_json::json!({ "name": member.name, "role": member.role });
    audit::insert(tx.conn(), &NewEntry { subject: Some(&member.id), ..entry(now, Some(team), AuditAction::MemberAdded, None, Some(after)) }).await?;
    tx.commit().await?;
    Ok((member.id, token))
}

pub async fn list_members(store: &Store, team: &str) -> Result<Vec<Member>, ApiError> {
    let mut read = store.read().await?;
    queries::team_name(read.conn(), team).await?.ok_or_else(|| team_not_found(team))?;
    Ok(queries::members(read.conn(), team).await?)
}

/// A new token for an existing member (its other tokens keep working); refused while the
/// member is revoked.
pub async fn issue_token(store: &Store, member: &str, now: Timestamp) -> Result<String, ApiError> {
    let token = auth::new_token();
    let mut tx = store.begin().await?;
    if revocation::is_revoked(tx.conn(), member).await?.ok_or_else(|| member_not_found(member))? {
        return Err(ApiError::new(
            ErrorCode::MemberRevoked,
            format!("member {member} is revoked; `member restore --member {member}` lifts that first"),
        ));
    }
    queries::insert_token(tx.conn(), &auth::token_hash(&token), member, now).await?;
    let team = member_team(&mut tx, member).await?;
    audit::insert(tx.conn(), &NewEntry { subject: Some(member), ..entry(now, Some(&team), AuditAction::TokenIssued, None, None) }).await?;
    tx.commit().await?;
    Ok(token)
}

/// Every token of the member stops working, and none is issued until [`restore`]; returns
/// how many tokens there were.
pub async fn revoke(store: &Store, member: &str, now: Timestamp) -> Result<u64, ApiError> {
    let mut tx = store.begin().await?;
    let was = revocation::is_revoked(tx.conn(), member).await?.ok_or_else(|| member_not_found(member))?;
    revocation::set_revoked(tx.conn(), member, Some(now)).await?;
    let n = queries::delete_tokens(tx.conn(), member).await?;
    let team = member_team(&mut tx, member).await?;
    let (before, after) = (serde_json::json!({ "revoked": was, "tokens": n }), serde_json::json!({ "revoked": true, "tokens": 0 }));
    audit::insert(tx.conn(), &NewEntry { subject: Some(member), ..entry(now, Some(&team), AuditAction::MemberRevoked, Some(before), Some(after)) })
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// Lifts a revocation: `member token` works again (the old tokens stay gone).
pub async fn restore(store: &Store, member: &str, now: Timestamp) -> Result<(), ApiError> {
    let mut tx = store.begin().await?;
    let was = revocation::is_revoked(tx.conn(), member).await?.ok_or_else(|| member_not_found(member))?;
    revocation::set_revoked(tx.conn(), member, None).await?;
    let team = member_team(&mut tx, member).await?;
    let (before, after) = (serde_json::json!({ "revoked": was }), serde_json::json!({ "revoked": false }));
    audit::insert(tx.conn(), &NewEntry { subject: Some(member), ..entry(now, Some(&team), AuditAction::MemberRestored, Some(before), Some(after)) })
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An operator's (command line) audit entry; callers add the member and subject.
fn entry(at: Timestamp, team_id: Option<&str>, action: AuditAction, before: Option<Value>, after: Option<Value>) -> NewEntry<'_> {
    NewEntry { at, team_id, member_id: None, action, subject: None, before, after }
}

fn state(v: &impl serde::Serialize) -> Option<Value> {
    serde_json::to_value(v).ok()
}

/// The team of a member known to exist.
async fn member_team(tx: &mut Tx, member: &str) -> Result<String, ApiError> {
    Ok(queries::member(tx.conn(), member).await?.ok_or_else(|| member_not_found(member))?.team_id)
}

/// The audit trail, newest first: one team's, or everything (`None`, the command line).
pub async fn audit_page(store: &Store, team: Option<&str>, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, ApiError> {
    let mut read = store.read().await?;
    Ok(audit::page(read.conn(), team, before, limit).await?)
}

/// Rules as served: their canonical JSON and its ETag (a hash of that JSON).
pub fn canonical_rules(rules: &Rules) -> (String, String) {
    let body = serde_json::to_string(rules).expect("rules serialize");
    let hash: String = Sha256::digest(body.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
    (body, format!("\"{hash}\""))
}

/// Validates and stores new recognition rules; returns their ETag.
pub async fn set_rules(store: &Store, json: &str, now: Timestamp) -> Result<String, ApiError> {
    let rules: Rules = serde_json::from_str(json).map_err(|e| ApiError::new(ErrorCode::InvalidRules, format!("not a rules document: {e}")))?;
    rules.validate()?;
    let (body, etag) = canonical_rules(&rules);
    let mut tx = store.begin().await?;
    let was = queries::rules(tx.conn()).await?.map_or_else(|| canonical_rules(&Rules::shipped()).1, |(_, etag)| etag);
    queries::set_rules(tx.conn(), &body, &etag, now).await?;
    let (before, after) = (serde_json::json!({ "etag": was }), serde_json::json!({ "etag": etag }));
    audit::insert(tx.conn(), &entry(now, None, AuditAction::RulesChanged, Some(before), Some(after))).await?;
    tx.commit().await?;
    Ok(etag)
}

/// The rules in force: the stored ones, else the shipped ones.
pub async fn current_rules(store: &Store) -> Result<(String, String), ApiError> {
    let mut read = store.read().await?;
    Ok(match queries::rules(read.conn()).await? {
        Some(stored) => stored,
        None => canonical_rules(&Rules::shipped()),
    })
}
