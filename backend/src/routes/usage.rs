//! `POST /v1/usage` (record a batch) and `GET /v1/usage` (the Usage History).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use credits_core::api::{ErrorBody, UsageAnswer, UsageBatch, UsagePage, UsageRow};
use credits_core::batch::judge_batch;
use credits_core::job_id::is_job_id;
use credits_core::{Action, ErrorCode, Timestamp};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::db::queries::{self, UsageFilter};
use crate::errors::ApiError;
use crate::ops;

/// Default and largest page of the Usage History.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[utoipa::path(post, path = "/v1/usage", operation_id = "record_usage", tag = "credits", security(("bearer" = [])),
    request_body(content = UsageBatch, content_type = "application/json"),
    responses(
        (status = 200, description = "One result per event, in order, and the balance after the batch", body = UsageAnswer),
        (status = 400, description = "Not a batch: not JSON, no `events` array, empty, over 500 events, an id twice", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON (Content-Type)", body = ErrorBody)))]
pub async fn post(State(app): State<AppState>, Auth { who, .. }: Auth, body: Result<Bytes, BytesRejection>) -> Result<Json<UsageAnswer>, ApiError> {
    let body = body.map_err(super::body_error)?;
    let judged = judge_batch(&body)?;
    let recorded = ops::record_usage(&app.store, &who, &judged, ops::now(), &app.cfg).await?;
    let results: Vec<_> = judged.iter().zip(&recorded.verdicts).map(|(j, v)| v.result(j)).collect();
    for r in &results {
        app.metrics.event(r.status, r.reason);
    }
    Ok(Json(UsageAnswer { results, balance: recorded.balance }))
}

/// Query parameters of `GET /v1/usage`; read as text so a bad value gets our own 400.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UsageQuery {
    /// Rows per page: default 50, larger values capped at 200.
    #[param(value_type = Option<u32>, minimum = 1)]
    pub(crate) limit: Option<String>,
    /// The `next_before` of the previous page.
    pub(crate) before: Option<String>,
    /// Only this action (`cover_letter`, ...).
    #[param(value_type = Option<Action>)]
    pub(crate) action: Option<String>,
    /// Only this member's rows (a member id).
    #[param(format = Uuid)]
    pub(crate) member: Option<String>,
    /// Only this job's rows (`~0...`).
    pub(crate) job_id: Option<String>,
    /// Only rows that occurred at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub(crate) from: Option<String>,
    /// Only rows that occurred before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub(crate) to: Option<String>,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, message)
}

/// The page cursor: URL-safe base64 of `occurred_at_ms:row_id` (the history's order),
/// opaque to clients.
pub fn cursor(row: &UsageRow) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", row.occurred_at.timestamp_millis(), row.id))
}

fn parse_cursor(text: &str) -> Option<(Timestamp, String)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
    let (at, id) = raw.split_once(':')?;
    let at = chrono::DateTime::from_timestamp_millis(at.parse().ok()?)?;
    Some((at, uuid::Uuid::try_parse(id).ok()?.to_string()))
}

pub(super) fn parse_limit(text: Option<&str>) -> Result<u32, ApiError> {
    let Some(text) = text else { return Ok(DEFAULT_LIMIT) };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!("limit must be a whole number from 1, got {text:?}")));
    }
    // All digits: a number too large for u64 is simply large.
    let n = text.parse::<u64>().unwrap_or(u64::MAX);
    if n == 0 {
        return Err(invalid("limit must be at least 1".into()));
    }
    Ok(n.min(u64::from(MAX_LIMIT)) as u32)
}

fn instant(name: &str, text: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    text.map(|t| t.parse().map_err(|_| invalid(format!("{name} must be an RFC 3339 instant, got {t:?}")))).transpose()
}

impl UsageQuery {
    pub(crate) fn filter(&self) -> Result<(UsageFilter, u32), ApiError> {
        let limit = parse_limit(self.limit.as_deref())?;
        let action = match &self.action {
            None => None,
            Some(code) => Some(Action::from_code(code).ok_or_else(|| invalid(format!("unknown action {code:?}")))?),
        };
        let member_id = match &self.member {
            None => None,
            Some(m) => Some(uuid::Uuid::try_parse(m).map_err(|_| invalid(format!("member must be a member id, got {m:?}")))?.to_string()),
        };
        let job_id = match &self.job_id {
            Some(j) if !is_job_id(j) => return Err(invalid(format!("job_id must look like ~0 followed by hex digits, got {j:?}"))),
            j => j.clone(),
        };
        let before = match &self.before {
            None => None,
            Some(c) => Some(parse_cursor(c).ok_or_else(|| ApiError::new(ErrorCode::InvalidCursor, "before is not a cursor this server gave out"))?),
        };
        let (from, to) = (instant("from", self.from.as_deref())?, instant("to", self.to.as_deref())?);
        Ok((UsageFilter { action, member_id, job_id, before, since: None, from, to }, limit))
    }
}

#[utoipa::path(get, path = "/v1/usage", operation_id = "list_usage", tag = "credits", security(("bearer" = [])), params(UsageQuery),
    responses((status = 200, description = "Newest first by `occurred_at` (the time shown), ties by id; refunded rows included and marked", body = UsagePage),
        (status = 400, description = "A bad limit, cursor, action, member, job id, from or to", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    Auth { who, .. }: Auth,
    query: Result<Query<UsageQuery>, QueryRejection>,
) -> Result<Json<UsagePage>, ApiError> {
    let Query(query) = query.map_err(|e| invalid(e.body_text()))?;
    let (filter, limit) = query.filter()?;
    let mut read = app.store.read().await?;
    // One row more than asked tells whether there is a next page.
    let mut rows = queries::usage_rows(read.conn(), &who.team_id, &filter, limit + 1).await?;
    let next_before = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(cursor)
    } else {
        None
    };
    Ok(Json(UsagePage { rows, next_before }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 50);
        assert_eq!(parse_limit(Some("7")).unwrap(), 7);
        assert_eq!(parse_limit(Some("201")).unwrap(), 200);
        assert_eq!(parse_limit(Some("99999999999999999999999")).unwrap(), 200);
        for bad in ["0", "-1", "abc", "", "1.5", " 3"] {
            assert_eq!(parse_limit(Some(bad)).unwrap_err().code(), ErrorCode::InvalidQuery, "{bad:?}");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = uuid::Uuid::from_u128(42).to_string();
        let at = chrono::DateTime::from_timestamp_millis(1_780_000_000_123).unwrap();
        let c = URL_SAFE_NO_PAD.encode(format!("{}:{id}", at.timestamp_millis()));
        assert_eq!(parse_cursor(&c), Some((at, id)));
        for bad in ["", "!!!", "bm90LWEtY3Vyc29y", &URL_SAFE_NO_PAD.encode("12:not-a-uuid")] {
            assert_eq!(parse_cursor(bad), None, "{bad:?}");
        }
    }
}
