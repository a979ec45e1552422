//! Member budgets: an owner caps what one member may use per cycle (the rule is the core's,
//! `credits_core::budget`; the ledger checks it in `ops::record_usage`).

use credits_core::api::MemberEntry;
use credits_core::budget::{MemberSpend, check_budget};
use credits_core::{CreditConfig, Timestamp};

use credits_core::audit::AuditAction;

use crate::db::audit::{self, NewEntry};
use crate::db::budgets::Counter;
use crate::db::{Store, budgets};
use crate::errors::ApiError;
use crate::ops::{locked_ledger, member_not_found, transaction};

/// Sets or clears (`None`) a member's budget, under its team's lock, and records it in the
/// audit trail (`actor`: the owner over the API, `None` for the command line); answers the
/// member's entry. With `team`, a member of another team is answered as not found.
#[allow(clippy::too_many_arguments)]
pub async fn set_budget(
    store: &Store,
    team: Option<&str>,
    actor: Option<&str>,
    member: &str,
    credits: Option<u64>,
    now: Timestamp,
    cfg: &CreditConfig,
) -> Result<MemberEntry, ApiError> {
    let credits = check_budget(credits)?;
    transaction(|| async {
        let mut tx = store.begin().await?;
        let owner = match budgets::entry(tx.conn(), member, now).await? {
            Some((owner, _)) if team.is_none_or(|t| t == owner) => owner,
            _ => return Err(member_not_found(member).into()),
        };
        let ledger = locked_ledger(&mut tx, &owner).await?;
        let cycle_start = ledger.balance(now, cfg).cycle_start;
        let (_, before) = budgets::entry(tx.conn(), member, cycle_start).await?.ok_or_else(|| member_not_found(member))?;
        budgets::set(tx.conn(), member, credits).await?;
        let (_, entry) = budgets::entry(tx.conn(), member, cycle_start).await?.ok_or_else(|| member_not_found(member))?;
        let state = |e: &MemberEntry| serde_json::json!({ "budget": e.budget, "used": e.usage.used });
        let record = NewEntry {
            at: now,
            team_id: Some(&owner),
            member_id: actor,
            action: AuditAction::BudgetChanged,
            subject: Some(member),
            before: Some(state(&before)),
            after: Some(state(&entry)),
        };
        audit::insert(tx.conn(), &record).await?;
        tx.commit().await?;
        Ok(entry)
    })
    .await
}

/// A member's use in the cycle from `since` and its budget, for a balance read: the counter
/// read with its token when it counts that cycle, else the cycle's rows summed.
pub async fn spend(store: &Store, member: &str, counter: &Counter, since: Timestamp) -> Result<MemberSpend, ApiError> {
    if let Some(spend) = counter.spend(since) {
        return Ok(spend);
    }
    let mut read = store.read().await?;
    Ok(budgets::spend(read.conn(), member, since).await?)
}
