//! The audit trail's table: entries are written inside the action's transaction and read
//! newest first, a page at a time.

use credits_core::Timestamp;
use credits_core::audit::{Actor, AuditAction, AuditEntry};
use serde_json::Value;

use super::queries::{ms, ts};
use super::{Conn, on};

/// An entry to record (its id and time come from the database and the action).
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    pub at: Timestamp,
    pub team_id: Option<&'a str>,
    /// The acting member, `None` for the command line.
    pub member_id: Option<&'a str>,
    pub action: AuditAction,
    pub subject: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn insert(c: Conn<'_>, e: &NewEntry<'_>) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO audit (at, team_id, actor, member_id, action, subject, before_state, after_state) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    on!(c, c => sqlx::query(SQL)
        .bind(ms(e.at))
        .bind(e.team_id)
        .bind(if e.member_id.is_some() { "member" } else { "cli" })
        .bind(e.member_id)
        .bind(e.action.code())
        .bind(e.subject)
        .bind(text(&e.before))
        .bind(text(&e.after))
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    team_id: Option<String>,
    member_id: Option<String>,
    action: String,
    subject: Option<String>,
    before_state: Option<String>,
    after_state: Option<String>,
}

fn decode_err(what: String) -> sqlx::Error {
    sqlx::Error::Decode(what.into())
}

fn json(text: Option<String>) -> sqlx::Result<Option<Value>> {
    text.map(|t| serde_json::from_str(&t).map_err(|e| decode_err(format!("audit state: {e}")))).transpose()
}

/// Entries newest first, of one team (`None`: all of them), with ids below `before`.
pub async fn page(c: Conn<'_>, team: Option<&str>, before: Option<i64>, limit: u32) -> sqlx::Result<Vec<AuditEntry>> {
    const SQL: &str = "SELECT id, at, team_id, member_id, action, subject, before_state, after_state FROM audit \
                       WHERE ($1 IS NULL OR team_id = $1) AND id < $2 ORDER BY id DESC LIMIT $3";
    let rows: Vec<AuditRow> =
        on!(c, c => sqlx::query_as(SQL).bind(team).bind(before.unwrap_or(i64::MAX)).bind(i64::from(limit)).fetch_all(&mut *c).await?);
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.id,
                at: ts(r.at)?,
                team_id: r.team_id,
                actor: r.member_id.map_or(Actor::Cli, |member_id| Actor::Member { member_id }),
                action: AuditAction::from_code(&r.action).ok_or_else(|| decode_err(format!("unknown audit action {}", r.action)))?,
                subject: r.subject,
                before: json(r.before_state)?,
                after: json(r.after_state)?,
            })
        })
        .collect()
}
