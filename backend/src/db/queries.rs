//! Every SQL statement of the backend, one set for both engines (see the module above).
//! These functions only move data; the credit rules are the core's, called by `ops`.

use std::collections::HashMap;

use chrono::DateTime;
use credits_core::api::{Bucket, MemberUsage, Reason, Role, UsageRow};
use credits_core::batch::Prior;
use credits_core::ledger::RefundTarget;
use credits_core::{Action, Ledger, Plan, Timestamp};
use sqlx::query::Query;
use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};

use super::budgets::Counter;
use super::{Conn, on};

/// Milliseconds since the epoch: how both engines store instants.
pub fn ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

fn decode_err(what: impl Into<String>) -> sqlx::Error {
    sqlx::Error::Decode(what.into().into())
}

pub fn ts(ms: i64) -> sqlx::Result<Timestamp> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| decode_err(format!("instant out of range: {ms}")))
}

fn unsigned<T: TryFrom<i64>>(v: i64, what: &str) -> sqlx::Result<T> {
    T::try_from(v).map_err(|_| decode_err(format!("{what} out of range: {v}")))
}

fn code<T>(parse: fn(&str) -> Option<T>, code: &str, what: &str) -> sqlx::Result<T> {
    parse(code).ok_or_else(|| decode_err(format!("unknown {what} {code}")))
}

fn signed(v: u64) -> i64 {
    // The CHECKs and the core keep every counter far below i64::MAX.
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The member a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub member_id: String,
    pub name: String,
    pub role: Role,
    pub team_id: String,
    pub team_name: String,
}

pub(crate) fn role(code: &str) -> sqlx::Result<Role> {
    self::code(Role::from_code, code, "role")
}

#[derive(FromRow)]
struct PrincipalRow {
    member_id: String,
    name: String,
    role: String,
    team_id: String,
    team_name: String,
    budget: Option<i64>,
    cycle_start: Option<i64>,
    cycle_used: i64,
    #[sqlx(flatten)]
    ledger: LedgerRow,
}

/// The member a token belongs to, with its team's ledger and its own counter as of now, in
/// one query (one snapshot): a balance read needs nothing more while the counter counts
/// the current cycle.
pub async fn principal_by_token_hash(c: Conn<'_>, hash: &str) -> sqlx::Result<Option<(Principal, Ledger, Counter)>> {
    const SQL: &str = "SELECT m.id AS member_id, m.name, m.role, t.id AS team_id, t.name AS team_name, \
                       m.budget, m.cycle_start, m.cycle_used, \
                       l.plan, l.seats, l.anchor, l.period_start, l.monthly_paid, l.used, l.extra, l.low_percent \
                       FROM tokens k JOIN members m ON m.id = k.member_id JOIN teams t ON t.id = m.team_id \
                       JOIN ledgers l ON l.team_id = t.id WHERE k.hash = $1";
    let row: Option<PrincipalRow> = on!(c, c => sqlx::query_as(SQL).bind(hash).fetch_optional(&mut *c).await?);
    let Some(r) = row else { return Ok(None) };
    let ledger = r.ledger.try_into()?;
    let counter = Counter::read(r.budget, r.cycle_start, r.cycle_used)?;
    Ok(Some((Principal { member_id: r.member_id, name: r.name, role: role(&r.role)?, team_id: r.team_id, team_name: r.team_name }, ledger, counter)))
}

// ---- teams and ledgers ----

#[derive(FromRow)]
struct LedgerRow {
    plan: String,
    seats: i64,
    anchor: i64,
    period_start: i64,
    monthly_paid: i64,
    used: i64,
    extra: i64,
    low_percent: i64,
}

impl TryFrom<LedgerRow> for Ledger {
    type Error = sqlx::Error;

    fn try_from(r: LedgerRow) -> sqlx::Result<Ledger> {
        Ok(Ledger {
            plan: code(Plan::from_code, &r.plan, "plan")?,
            seats: unsigned(r.seats, "seats")?,
            anchor: ts(r.anchor)?,
            period_start: ts(r.period_start)?,
            monthly_paid: unsigned(r.monthly_paid, "monthly_paid")?,
            used: unsigned(r.used, "used")?,
            extra: unsigned(r.extra, "extra")?,
            low_percent: unsigned(r.low_percent, "low_percent")?,
        })
    }
}

/// The team's ledger. With `lock`, inside a write transaction: PostgreSQL locks the row
/// until commit; SQLite's `BEGIN IMMEDIATE` already holds the write lock.
pub async fn ledger(c: Conn<'_>, team: &str, lock: bool) -> sqlx::Result<Option<Ledger>> {
    const SQL: &str = "SELECT plan, seats, anchor, period_start, monthly_paid, used, extra, low_percent FROM ledgers WHERE team_id = $1";
    const SQL_LOCK: &str =
        "SELECT plan, seats, anchor, period_start, monthly_paid, used, extra, low_percent FROM ledgers WHERE team_id = $1 FOR UPDATE";
    let sql = if lock && matches!(c, super::Engine::Postgres(_)) { SQL_LOCK } else { SQL };
    let row: Option<LedgerRow> = on!(c, c => sqlx::query_as(sql).bind(team).fetch_optional(&mut *c).await?);
    row.map(Ledger::try_from).transpose()
}

/// Binds a ledger's columns in the table's order, `plan` to `low_percent`.
fn bind_ledger<'q, DB: Database>(q: Query<'q, DB, DB::Arguments>, l: &Ledger) -> Query<'q, DB, DB::Arguments>
where
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    q.bind(l.plan.code())
        .bind(i64::from(l.seats))
        .bind(ms(l.anchor))
        .bind(ms(l.period_start))
        .bind(signed(l.monthly_paid))
        .bind(signed(l.used))
        .bind(signed(l.extra))
        .bind(i64::from(l.low_percent))
}

pub async fn save_ledger(c: Conn<'_>, team: &str, l: &Ledger) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE ledgers SET plan = $2, seats = $3, anchor = $4, period_start = $5, monthly_paid = $6, \
                       used = $7, extra = $8, low_percent = $9 WHERE team_id = $1";
    let done = on!(c, c => bind_ledger(sqlx::query(SQL).bind(team), l).execute(&mut *c).await?.rows_affected());
    if done != 1 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(())
}

pub async fn insert_team(c: Conn<'_>, id: &str, name: &str, now: Timestamp, l: &Ledger) -> sqlx::Result<()> {
    const TEAM: &str = "INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)";
    const LEDGER: &str = "INSERT INTO ledgers (team_id, plan, seats, anchor, period_start, monthly_paid, used, extra, low_percent) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on!(c, c => {
        sqlx::query(TEAM).bind(id).bind(name).bind(ms(now)).execute(&mut *c).await?.rows_affected();
        bind_ledger(sqlx::query(LEDGER).bind(id), l).execute(&mut *c).await?.rows_affected()
    });
    Ok(())
}

/// The team's name, if the team exists.
pub async fn team_name(c: Conn<'_>, id: &str) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT name FROM teams WHERE id = $1";
    Ok(on!(c, c => sqlx::query_scalar(SQL).bind(id).fetch_optional(&mut *c).await?))
}

// ---- members and tokens ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub team_id: String,
    pub name: String,
    pub role: Role,
}

#[derive(FromRow)]
struct MemberRow {
    id: String,
    team_id: String,
    name: String,
    role: String,
}

impl TryFrom<MemberRow> for Member {
    type Error = sqlx::Error;

    fn try_from(r: MemberRow) -> sqlx::Result<Member> {
        Ok(Member { id: r.id, team_id: r.team_id, name: r.name, role: role(&r.role)? })
    }
}

pub async fn insert_member(c: Conn<'_>, m: &Member, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO members (id, team_id, name, role, created_at) VALUES ($1, $2, $3, $4, $5)";
    on!(c, c => sqlx::query(SQL).bind(&m.id).bind(&m.team_id).bind(&m.name).bind(m.role.code()).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn member(c: Conn<'_>, id: &str) -> sqlx::Result<Option<Member>> {
    const SQL: &str = "SELECT id, team_id, name, role FROM members WHERE id = $1";
    let row: Option<MemberRow> = on!(c, c => sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?);
    row.map(Member::try_from).transpose()
}

/// The team's members, oldest first.
pub async fn members(c: Conn<'_>, team: &str) -> sqlx::Result<Vec<Member>> {
    const SQL: &str = "SELECT id, team_id, name, role FROM members WHERE team_id = $1 ORDER BY created_at, id";
    let rows: Vec<MemberRow> = on!(c, c => sqlx::query_as(SQL).bind(team).fetch_all(&mut *c).await?);
    rows.into_iter().map(Member::try_from).collect()
}

/// Credits each member consumed since `since` (non-refunded usage rows), members with none
/// included; largest first, then by name.
pub async fn members_usage(c: Conn<'_>, team: &str, since: Timestamp) -> sqlx::Result<Vec<MemberUsage>> {
    #[derive(FromRow)]
    struct Row {
        member_id: String,
        name: String,
        role: String,
        used: i64,
    }
    const SQL: &str = "SELECT m.id AS member_id, m.name, m.role, CAST(COALESCE(SUM(e.credits), 0) AS BIGINT) AS used FROM members m \
                       LEFT JOIN events e ON e.team_id = m.team_id AND e.member_id = m.id AND e.status = 'applied' \
                       AND e.refunded = FALSE AND e.recorded_at >= $2 \
                       WHERE m.team_id = $1 GROUP BY m.id, m.name, m.role ORDER BY used DESC, m.name, m.id";
    let rows: Vec<Row> = on!(c, c => sqlx::query_as(SQL).persistent(false).bind(team).bind(ms(since)).fetch_all(&mut *c).await?);
    rows.into_iter()
        .map(|r| Ok(MemberUsage { member_id: r.member_id, name: r.name, role: role(&r.role)?, used: unsigned(r.used, "used")? }))
        .collect()
}

pub async fn insert_token(c: Conn<'_>, hash: &str, member: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO tokens (hash, member_id, created_at) VALUES ($1, $2, $3)";
    on!(c, c => sqlx::query(SQL).bind(hash).bind(member).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Deletes every token of the member; returns how many there were.
pub async fn delete_tokens(c: Conn<'_>, member: &str) -> sqlx::Result<u64> {
    const SQL: &str = "DELETE FROM tokens WHERE member_id = $1";
    let done = on!(c, c => sqlx::query(SQL).bind(member).execute(&mut *c).await?.rows_affected());
    Ok(done)
}

// ---- usage events ----
//
// Queries that read `events` are not kept as prepared statements (`persistent(false)`):
// PostgreSQL then plans each with its parameters and the table's current size. A cached
// generic plan made while the table was small seq-scans it, and stays slow until
// autovacuum analyzes (measured: 55 ms per id lookup at 100,000 rows).

/// The first outcome recorded under each of `ids`, with the team it belongs to.
pub async fn event_priors(c: Conn<'_>, ids: &[uuid::Uuid]) -> sqlx::Result<HashMap<uuid::Uuid, (String, Prior)>> {
    #[derive(FromRow)]
    struct Row {
        id: String,
        team_id: String,
        status: String,
        reason: Option<String>,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Row> = on!(c, c => {
        let mut q = QueryBuilder::new("SELECT id, team_id, status, reason FROM events WHERE id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.to_string());
        }
        q.push(")");
        q.build_query_as().persistent(false).fetch_all(&mut *c).await?
    });
    rows.into_iter()
        .map(|r| {
            let id = uuid::Uuid::try_parse(&r.id).map_err(|e| decode_err(format!("event id {}: {e}", r.id)))?;
            let prior = match (r.status.as_str(), r.reason.as_deref().and_then(Reason::from_code)) {
                ("applied", _) => Prior::Applied,
                ("rejected", Some(reason)) => Prior::Rejected(reason),
                _ => return Err(decode_err(format!("event {id}: status {} reason {:?}", r.status, r.reason))),
            };
            Ok((id, (r.team_id, prior)))
        })
        .collect()
}

/// One row for `events`: an applied charge or a remembered rejection.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub id: String,
    pub team_id: &'a str,
    pub member_id: &'a str,
    /// `None` when applied.
    pub reason: Option<Reason>,
    pub action: Option<Action>,
    pub regenerate: bool,
    pub job_id: Option<&'a str>,
    pub occurred_at: Option<Timestamp>,
    pub recorded_at: Timestamp,
    pub bucket: Option<Bucket>,
    pub credits: u64,
}

/// Rows per INSERT statement: large enough to make a batch a few statements, small
/// enough to stay far below both engines' parameter limits.
const INSERT_CHUNK: usize = 100;

pub async fn insert_events(mut c: Conn<'_>, rows: &[NewEvent<'_>]) -> sqlx::Result<()> {
    const INSERT: &str =
        "INSERT INTO events (id, team_id, member_id, status, reason, action, regenerate, job_id, occurred_at, recorded_at, bucket, credits) ";
    for chunk in rows.chunks(INSERT_CHUNK) {
        on!(&mut c, c => {
            let mut q = QueryBuilder::new(INSERT);
            q.push_values(chunk, |mut row, e| {
                row.push_bind(e.id.as_str())
                    .push_bind(e.team_id)
                    .push_bind(e.member_id)
                    .push_bind(if e.reason.is_some() { "rejected" } else { "applied" })
                    .push_bind(e.reason.map(Reason::code))
                    .push_bind(e.action.map(Action::code))
                    .push_bind(e.regenerate)
                    .push_bind(e.job_id)
                    .push_bind(e.occurred_at.map(ms))
                    .push_bind(ms(e.recorded_at))
                    .push_bind(e.bucket.map(Bucket::code))
                    .push_bind(signed(e.credits));
            });
            q.build().execute(&mut **c).await?.rows_affected()
        });
    }
    Ok(())
}

/// Filters and the cursor of a Usage History page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageFilter {
    pub action: Option<Action>,
    pub member_id: Option<String>,
    pub job_id: Option<String>,
    /// Only rows strictly older than this `(occurred_at, id)`, the history's order.
    pub before: Option<(Timestamp, String)>,
    /// Only rows recorded at or after this instant.
    pub since: Option<Timestamp>,
    /// Only rows that occurred in `[from, to)` (the history's date range).
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

#[derive(FromRow)]
struct UsageDbRow {
    id: String,
    action: String,
    regenerate: bool,
    job_id: Option<String>,
    member_id: String,
    member: String,
    occurred_at: i64,
    recorded_at: i64,
    bucket: String,
    credits: i64,
    refunded: bool,
}

impl TryFrom<UsageDbRow> for UsageRow {
    type Error = sqlx::Error;

    fn try_from(r: UsageDbRow) -> sqlx::Result<UsageRow> {
        let action = code(Action::from_code, &r.action, "action")?;
        Ok(UsageRow {
            id: r.id,
            action,
            label: action.label().to_owned(),
            regenerate: r.regenerate,
            job_id: r.job_id,
            member_id: r.member_id,
            member: r.member,
            occurred_at: ts(r.occurred_at)?,
            recorded_at: ts(r.recorded_at)?,
            bucket: code(Bucket::from_code, &r.bucket, "bucket")?,
            credits: -r.credits,
            refunded: r.refunded,
        })
    }
}

/// Usage rows of the team, newest first by `(occurred_at, id)` (the time the history shows;
/// ties by id, so a cursor on that key pages exactly), at most `limit`.
pub async fn usage_rows(c: Conn<'_>, team: &str, f: &UsageFilter, limit: u32) -> sqlx::Result<Vec<UsageRow>> {
    const SELECT: &str = "SELECT e.id, e.action, e.regenerate, e.job_id, e.member_id, m.name AS member, e.occurred_at, e.recorded_at, \
                          e.bucket, e.credits, e.refunded FROM events e JOIN members m ON m.id = e.member_id \
                          WHERE e.status = 'applied' AND e.team_id = ";
    let rows: Vec<UsageDbRow> = on!(c, c => {
        let mut q = QueryBuilder::new(SELECT);
        q.push_bind(team);
        if let Some(a) = f.action {
            q.push(" AND e.action = ").push_bind(a.code());
        }
        if let Some(m) = &f.member_id {
            q.push(" AND e.member_id = ").push_bind(m.as_str());
        }
        if let Some(j) = &f.job_id {
            q.push(" AND e.job_id = ").push_bind(j.as_str());
        }
        if let Some(since) = f.since {
            q.push(" AND e.recorded_at >= ").push_bind(ms(since));
        }
        if let Some(from) = f.from {
            q.push(" AND e.occurred_at >= ").push_bind(ms(from));
        }
        if let Some(to) = f.to {
            q.push(" AND e.occurred_at < ").push_bind(ms(to));
        }
        if let Some((at, id)) = &f.before {
            q.push(" AND (e.occurred_at < ").push_bind(ms(*at));
            q.push(" OR (e.occurred_at = ").push_bind(ms(*at)).push(" AND e.id < ").push_bind(id.as_str()).push("))");
        }
        q.push(" ORDER BY e.occurred_at DESC, e.id DESC LIMIT ").push_bind(i64::from(limit));
        q.build_query_as().persistent(false).fetch_all(&mut *c).await?
    });
    rows.into_iter().map(UsageRow::try_from).collect()
}

/// What a refund needs of a team's usage row, if the team has that row.
pub async fn refund_target(c: Conn<'_>, team: &str, id: &str) -> sqlx::Result<Option<RefundTarget>> {
    const SQL: &str = "SELECT bucket, credits, recorded_at, refunded FROM events WHERE id = $1 AND team_id = $2 AND status = 'applied'";
    #[derive(FromRow)]
    struct Row {
        bucket: String,
        credits: i64,
        recorded_at: i64,
        refunded: bool,
    }
    let row: Option<Row> = on!(c, c => sqlx::query_as(SQL).bind(id).bind(team).fetch_optional(&mut *c).await?);
    row.map(|r| {
        Ok(RefundTarget {
            bucket: code(Bucket::from_code, &r.bucket, "bucket")?,
            credits: unsigned(r.credits, "credits")?,
            recorded_at: ts(r.recorded_at)?,
            refunded: r.refunded,
        })
    })
    .transpose()
}

pub async fn mark_refunded(c: Conn<'_>, id: &str) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE events SET refunded = TRUE WHERE id = $1 AND status = 'applied'";
    on!(c, c => sqlx::query(SQL).bind(id).execute(&mut *c).await?.rows_affected());
    Ok(())
}

// ---- top-ups ----

/// The team and credits a top-up id was recorded with, if it was.
pub async fn topup_prior(c: Conn<'_>, id: &str) -> sqlx::Result<Option<(String, u64)>> {
    const SQL: &str = "SELECT team_id, credits FROM topups WHERE id = $1";
    #[derive(FromRow)]
    struct Row {
        team_id: String,
        credits: i64,
    }
    let row: Option<Row> = on!(c, c => sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?);
    row.map(|r| Ok((r.team_id, unsigned(r.credits, "credits")?))).transpose()
}

pub async fn insert_topup(c: Conn<'_>, id: &str, team: &str, credits: u64, member: Option<&str>, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO topups (id, team_id, credits, member_id, recorded_at) VALUES ($1, $2, $3, $4, $5)";
    on!(c, c => sqlx::query(SQL).bind(id).bind(team).bind(signed(credits)).bind(member).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

// ---- recognition rules ----

/// The stored rules' canonical JSON and ETag, if `rules set` stored any.
pub async fn rules(c: Conn<'_>) -> sqlx::Result<Option<(String, String)>> {
    #[derive(FromRow)]
    struct Row {
        body: String,
        etag: String,
    }
    const SQL: &str = "SELECT body, etag FROM rules WHERE id = 1";
    let row: Option<Row> = on!(c, c => sqlx::query_as(SQL).fetch_optional(&mut *c).await?);
    Ok(row.map(|r| (r.body, r.etag)))
}

pub async fn set_rules(c: Conn<'_>, body: &str, etag: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO rules (id, body, etag, updated_at) VALUES (1, $1, $2, $3) \
                       ON CONFLICT (id) DO UPDATE SET body = excluded.body, etag = excluded.etag, updated_at = excluded.updated_at";
    on!(c, c => sqlx::query(SQL).bind(body).bind(etag).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}
