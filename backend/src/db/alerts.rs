//! Alerts fired per cycle, the team's webhook and the deliveries outbox.

use credits_core::Timestamp;
use credits_core::alerts::AlertKind;
use sqlx::FromRow;

use super::queries::{ms, ts};
use super::{Conn, on};

/// The kinds already fired for the team in the period starting at `period`, counting
/// per-member kinds only for `member`.
pub async fn fired(c: Conn<'_>, team: &str, period: Timestamp, member: &str) -> sqlx::Result<Vec<AlertKind>> {
    const SQL: &str = "SELECT kind FROM alerts_fired WHERE team_id = $1 AND period_start = $2 AND member_id IN ('', $3)";
    let kinds: Vec<String> = on!(c, c => sqlx::query_scalar(SQL).bind(team).bind(ms(period)).bind(member).fetch_all(&mut *c).await?);
    Ok(kinds.iter().filter_map(|k| AlertKind::from_code(k)).collect())
}

/// Remembers that `kind` fired (`member` is '' for a team's alert).
pub async fn insert_fired(c: Conn<'_>, team: &str, period: Timestamp, kind: AlertKind, member: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO alerts_fired (team_id, period_start, kind, member_id, fired_at) VALUES ($1, $2, $3, $4, $5)";
    on!(c, c => sqlx::query(SQL).bind(team).bind(ms(period)).bind(kind.code()).bind(member).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The team's webhook: (url, secret).
pub async fn webhook(c: Conn<'_>, team: &str) -> sqlx::Result<Option<(String, String)>> {
    const SQL: &str = "SELECT url, secret FROM webhooks WHERE team_id = $1";
    let row: Option<(String, String)> = on!(c, c => sqlx::query_as(SQL).bind(team).fetch_optional(&mut *c).await?);
    Ok(row)
}

pub async fn set_webhook(c: Conn<'_>, team: &str, url: &str, secret: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO webhooks (team_id, url, secret, created_at) VALUES ($1, $2, $3, $4) \
                       ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, created_at = excluded.created_at";
    on!(c, c => sqlx::query(SQL).bind(team).bind(url).bind(secret).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn clear_webhook(c: Conn<'_>, team: &str) -> sqlx::Result<u64> {
    const SQL: &str = "DELETE FROM webhooks WHERE team_id = $1";
    Ok(on!(c, c => sqlx::query(SQL).bind(team).execute(&mut *c).await?.rows_affected()))
}

pub async fn insert_delivery(c: Conn<'_>, id: &str, team: &str, kind: AlertKind, body: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str =
        "INSERT INTO deliveries (id, team_id, kind, body, created_at, attempts, next_at, state) VALUES ($1, $2, $3, $4, $5, 0, $5, 'pending')";
    on!(c, c => sqlx::query(SQL).bind(id).bind(team).bind(kind.code()).bind(body).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// A delivery whose time has come, with where to send it (none once the webhook is cleared).
#[derive(Clone, Debug)]
pub struct Due {
    pub id: String,
    pub body: String,
    pub created_at: Timestamp,
    pub attempts: u32,
    pub target: Option<(String, String)>,
}

pub async fn due(c: Conn<'_>, now: Timestamp, limit: i64) -> sqlx::Result<Vec<Due>> {
    #[derive(FromRow)]
    struct Row {
        id: String,
        body: String,
        created_at: i64,
        attempts: i64,
        url: Option<String>,
        secret: Option<String>,
    }
    const SQL: &str = "SELECT d.id, d.body, d.created_at, d.attempts, w.url, w.secret FROM deliveries d \
                       LEFT JOIN webhooks w ON w.team_id = d.team_id WHERE d.state = 'pending' AND d.next_at <= $1 \
                       ORDER BY d.next_at, d.id LIMIT $2";
    let rows: Vec<Row> = on!(c, c => sqlx::query_as(SQL).bind(ms(now)).bind(limit).fetch_all(&mut *c).await?);
    rows.into_iter()
        .map(|r| {
            Ok(Due {
                id: r.id,
                body: r.body,
                created_at: ts(r.created_at)?,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                target: r.url.zip(r.secret),
            })
        })
        .collect()
}

/// After an attempt: `next_at` is when to try again (`None`: done, `state` says how).
pub async fn record_attempt(c: Conn<'_>, id: &str, attempts: u32, state: &str, next_at: Option<Timestamp>, error: Option<&str>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE deliveries SET attempts = $2, state = $3, next_at = COALESCE($4, next_at), last_error = $5 WHERE id = $1";
    on!(c, c => sqlx::query(SQL).bind(id).bind(i64::from(attempts)).bind(state).bind(next_at.map(ms)).bind(error).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The team's deliveries, oldest first: (id, type, attempts, state).
pub async fn deliveries(c: Conn<'_>, team: &str) -> sqlx::Result<Vec<(String, String, i64, String)>> {
    const SQL: &str = "SELECT id, kind, attempts, state FROM deliveries WHERE team_id = $1 ORDER BY created_at, id";
    let rows: Vec<(String, String, i64, String)> = on!(c, c => sqlx::query_as(SQL).bind(team).fetch_all(&mut *c).await?);
    Ok(rows)
}
