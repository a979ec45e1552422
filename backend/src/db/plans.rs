//! What the plan advisor reads: each completed cycle's use, and the operator's prices.

use credits_core::Timestamp;
use credits_core::insights::plan_advice::CycleUse;
use sqlx::FromRow;

use super::queries::ms;
use super::{Conn, on};

/// Credits of the team's non-refunded usage rows recorded in `[start, end)`, and what
/// Extra Credits paid of them.
pub async fn cycle_use(c: Conn<'_>, team: &str, start: Timestamp, end: Timestamp) -> sqlx::Result<CycleUse> {
    #[derive(FromRow)]
    struct Row {
        used: i64,
        extra: i64,
    }
    const SQL: &str = "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) AS used, \
                       CAST(COALESCE(SUM(CASE WHEN bucket = 'extra' THEN credits ELSE 0 END), 0) AS BIGINT) AS extra \
                       FROM events WHERE team_id = $1 AND status = 'applied' AND refunded = FALSE AND recorded_at >= $2 AND recorded_at < $3";
    let r: Row = on!(c, c => sqlx::query_as(SQL).persistent(false).bind(team).bind(ms(start)).bind(ms(end)).fetch_one(&mut *c).await?);
    Ok(CycleUse { start, end, used: r.used.max(0) as u64, extra: r.extra.max(0) as u64 })
}

/// The stored prices document, if `prices set` stored one.
pub async fn prices(c: Conn<'_>) -> sqlx::Result<Option<String>> {
    const SQL: &str = "SELECT body FROM prices WHERE id = 1";
    Ok(on!(c, c => sqlx::query_scalar(SQL).fetch_optional(&mut *c).await?))
}

pub async fn set_prices(c: Conn<'_>, body: &str, now: Timestamp) -> sqlx::Result<()> {
    const SQL: &str = "INSERT INTO prices (id, body, updated_at) VALUES (1, $1, $2) \
                       ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
    on!(c, c => sqlx::query(SQL).bind(body).bind(ms(now)).execute(&mut *c).await?.rows_affected());
    Ok(())
}
