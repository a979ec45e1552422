//! A member's revocation: `member revoke` sets `revoked_at` (and deletes the tokens), only
//! `member restore` clears it, and no token is issued meanwhile.

use credits_core::Timestamp;

use super::queries::ms;
use super::{Conn, Engine};

/// Whether the member is revoked (`None`: no such member). On PostgreSQL the member's row
/// stays locked to the end of the transaction, so a token issued at the same time as a
/// revocation cannot slip in after it.
pub async fn is_revoked(c: Conn<'_>, member: &str) -> sqlx::Result<Option<bool>> {
    let row: Option<(Option<i64>,)> = match c {
        Engine::Sqlite(c) => sqlx::query_as("SELECT revoked_at FROM members WHERE id = $1").bind(member).fetch_optional(c).await?,
        Engine::Postgres(c) => sqlx::query_as("SELECT revoked_at FROM members WHERE id = $1 FOR UPDATE").bind(member).fetch_optional(c).await?,
    };
    Ok(row.map(|(at,)| at.is_some()))
}

/// Sets (`Some`) or clears (`None`) the member's revocation.
pub async fn set_revoked(c: Conn<'_>, member: &str, at: Option<Timestamp>) -> sqlx::Result<()> {
    const SQL: &str = "UPDATE members SET revoked_at = $2 WHERE id = $1";
    super::on!(c, c => sqlx::query(SQL).bind(member).bind(at.map(ms)).execute(&mut *c).await?.rows_affected());
    Ok(())
}
