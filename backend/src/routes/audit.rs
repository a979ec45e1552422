//! `GET /v1/audit`: the team's audit trail, for owners, newest first, a page at a time.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use credits_core::ErrorCode;
use credits_core::api::ErrorBody;
use credits_core::audit::AuditPage;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::ops;

/// Query parameters of `GET /v1/audit`; read as text so a bad value gets our own 400.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries per page: default 50, larger values capped at 200.
    #[param(value_type = Option<u32>, minimum = 1)]
    limit: Option<String>,
    /// The `next_before` of the previous page.
    before: Option<String>,
}

fn cursor(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| ApiError::new(ErrorCode::InvalidCursor, "before is not a cursor this server gave out"))
}

#[utoipa::path(get, path = "/v1/audit", operation_id = "list_audit", tag = "team", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "Owner and operator actions on the team, newest first", body = AuditPage),
        (status = 400, description = "A bad limit or cursor", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, auth: Auth, query: Result<Query<AuditQuery>, QueryRejection>) -> Result<Json<AuditPage>, ApiError> {
    auth.require_owner()?;
    let Query(query) = query.map_err(|e| ApiError::new(ErrorCode::InvalidQuery, e.body_text()))?;
    let limit = super::usage::parse_limit(query.limit.as_deref())?;
    let before = query.before.as_deref().map(cursor).transpose()?;
    // One entry more than asked tells whether there is a next page.
    let mut entries = ops::audit_page(&app.store, Some(&auth.who.team_id), before, limit + 1).await?;
    let next_before = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Json(AuditPage { entries, next_before }))
}
