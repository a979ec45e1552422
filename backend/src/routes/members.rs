//! `GET /v1/members`: credits used per member in this cycle.

use axum::Json;
use axum::extract::State;
use credits_core::api::{ErrorBody, MemberUsage};

use crate::AppState;
use crate::auth::Auth;
use crate::db::queries;
use crate::errors::ApiError;
use crate::ops;

#[utoipa::path(get, path = "/v1/members", operation_id = "list_members", tag = "team", security(("bearer" = [])),
    responses((status = 200, description = "Every member of the team, largest use first", body = Vec<MemberUsage>),
        (status = 401, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, Auth { who, ledger }: Auth) -> Result<Json<Vec<MemberUsage>>, ApiError> {
    let balance = ledger.balance(ops::now(), &app.cfg);
    let mut read = app.store.read().await?;
    Ok(Json(queries::members_usage(read.conn(), &who.team_id, balance.cycle_start).await?))
}
