//! Member budgets: the stored cap and the member's use this cycle (see `credits_core::budget`).

use credits_core::Timestamp;
use credits_core::api::{MemberEntry, MemberUsage};
use credits_core::budget::MemberSpend;
use sqlx::FromRow;

use super::queries::{ms, role, ts};
use super::{Conn, on};

#[derive(FromRow)]
struct EntryRow {
    member_id: String,
    team_id: String,
    name: String,
    role: String,
    used: i64,
    budget: Option<i64>,
    last_active: Option<i64>,
}

fn unsigned(v: i64, what: &str) -> sqlx::Result<u64> {
    u64::try_from(v).map_err(|_| sqlx::Error::Decode(format!("{what} out of range: {v}").into()))
}

impl EntryRow {
    fn entry(self) -> sqlx::Result<MemberEntry> {
        let budget = self.budget.map(|b| unsigned(b, "budget")).transpose()?;
        let usage = MemberUsage { member_id: self.member_id, name: self.name, role: role(&self.role)?, used: unsigned(self.used, "used")? };
        let last_active = self.last_active.map(ts).transpose()?;
        Ok(MemberSpend::entry(usage, budget, last_active))
    }
}

/// Used counts the member's non-refunded usage rows since `since`, so it starts over with
/// the cycle and a refund gives the credit back: the member's counter when it counts that
/// cycle (`cycle_start`, written with each charge: [`store_count`]), else the rows'
/// sum. Last active is the latest `occurred_at` of any of its usage rows (the member index
/// on `occurred_at` answers it).
macro_rules! used_sql {
    () => {
        concat!(
            "CAST(CASE WHEN m.cycle_start = $2 THEN m.cycle_used ELSE ",
            "(SELECT COALESCE(SUM(e.credits), 0) FROM events e WHERE e.team_id = m.team_id AND e.member_id = m.id ",
            "AND e.status = 'applied' AND e.refunded = FALSE AND e.recorded_at >= $2) END AS BIGINT)"
        )
    };
}

macro_rules! entry_sql {
    ($filter:literal, $order:literal) => {
        concat!(
            "SELECT m.id AS member_id, m.team_id, m.name, m.role, m.budget, ",
            used_sql!(),
            " AS used, ",
            "(SELECT MAX(a.occurred_at) FROM events a WHERE a.team_id = m.team_id AND a.member_id = m.id AND a.status = 'applied') AS last_active ",
            "FROM members m WHERE ",
            $filter,
            $order
        )
    };
}

/// The member's counter as its token's query reads it (`queries::principal_by_token_hash`,
/// so a balance read is one query): the budget, and the use of the cycle from `cycle_start`
/// (ms), if it counts one.
#[derive(Clone, Copy, Debug)]
pub struct Counter {
    pub budget: Option<u64>,
    pub cycle_start: Option<i64>,
    pub cycle_used: u64,
}

impl Counter {
    /// The member's spend in the cycle from `since`, when the counter counts that cycle
    /// (else the rows must be summed: [`spend`]).
    pub fn spend(&self, since: Timestamp) -> Option<MemberSpend> {
        (self.cycle_start == Some(ms(since))).then_some(MemberSpend { used: self.cycle_used, budget: self.budget })
    }

    pub(crate) fn read(budget: Option<i64>, cycle_start: Option<i64>, cycle_used: i64) -> sqlx::Result<Counter> {
        Ok(Counter { budget: budget.map(|b| unsigned(b, "budget")).transpose()?, cycle_start, cycle_used: unsigned(cycle_used, "cycle_used")? })
    }
}

/// After a batch's rows are inserted: the member's counter becomes its use in the cycle from
/// `since` as the core counted it (what [`spend`] read, plus the batch's charges). In the
/// batch's transaction, under the team's lock.
pub async fn store_count(c: Conn<'_>, member: &str, since: Timestamp, used: u64) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE members SET cycle_used = $3, cycle_start = $2 WHERE id = $1";
    let used = i64::try_from(used).unwrap_or(i64::MAX);
    on!(c, c => sqlx::query(SQL).bind(member).bind(ms(since)).bind(used).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// A refund of one of the member's rows: the counter no longer counts (the next read sums
/// the rows, the next charge stores the sum).
pub async fn uncount(c: Conn<'_>, usage_id: &str) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE members SET cycle_start = NULL WHERE id = (SELECT member_id FROM events WHERE id = $1)";
    on!(c, c => sqlx::query(SQL).persistent(false).bind(usage_id).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Every member of the team with its use since `since` and its budget; largest use first.
pub async fn entries(c: Conn<'_>, team: &str, since: Timestamp) -> sqlx::Result<Vec<MemberEntry>> {
    const SQL: &str = entry_sql!("m.team_id = $1", " ORDER BY used DESC, m.name, m.id");
    let rows: Vec<EntryRow> = on!(c, c => sqlx::query_as(SQL).persistent(false).bind(team).bind(ms(since)).fetch_all(&mut *c).await?);
    rows.into_iter().map(EntryRow::entry).collect()
}

/// One member's entry and its team, if the member exists.
pub async fn entry(c: Conn<'_>, member: &str, since: Timestamp) -> sqlx::Result<Option<(String, MemberEntry)>> {
    const SQL: &str = entry_sql!("m.id = $1", "");
    let row: Option<EntryRow> = on!(c, c => sqlx::query_as(SQL).persistent(false).bind(member).bind(ms(since)).fetch_optional(&mut *c).await?);
    row.map(|r| Ok((r.team_id.clone(), r.entry()?))).transpose()
}

/// What the ledger checks a member's charges against (and a balance read shows): its use
/// in the cycle from `since` and its budget.
pub async fn spend(c: Conn<'_>, member: &str, since: Timestamp) -> sqlx::Result<MemberSpend> {
    #[derive(FromRow)]
    struct Row {
        used: i64,
        budget: Option<i64>,
    }
    const SQL: &str = concat!("SELECT m.budget, ", used_sql!(), " AS used FROM members m WHERE m.id = $1");
    let row: Row = on!(c, c => sqlx::query_as(SQL).persistent(false).bind(member).bind(ms(since)).fetch_optional(&mut *c).await?)
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(MemberSpend { used: unsigned(row.used, "used")?, budget: row.budget.map(|b| unsigned(b, "budget")).transpose()? })
}

/// Sets (or clears, with `None`) the member's budget.
pub async fn set(c: Conn<'_>, member: &str, credits: Option<u64>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE members SET budget = $2 WHERE id = $1";
    // check_budget keeps it far below i64::MAX.
    let credits = credits.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let done = on!(c, c => sqlx::query(SQL).bind(member).bind(credits).execute(&mut *c).await?.rows_affected());
    if done != 1 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(())
}
