//! `GET /v1/members`: credits used per member in this cycle, against each one's budget.

use axum::Json;
use axum::extract::State;
use credits_core::api::{ErrorBody, MemberEntry};

use crate::AppState;
use crate::auth::Auth;
use crate::db::budgets;
use crate::errors::ApiError;
use crate::ops;

#[utoipa::path(get, path = "/v1/members", operation_id = "list_members", tag = "team", security(("bearer" = [])),
    responses((status = 200, description = "Every member of the team, largest use first; `budget` and `left` are null where no budget is set",
        body = Vec<MemberEntry>),
        (status = 401, body = ErrorBody)))]
pub async fn list(State(app): State<AppState>, Auth { who, ledger, .. }: Auth) -> Result<Json<Vec<MemberEntry>>, ApiError> {
    let balance = ledger.balance(ops::now(), &app.cfg);
    let mut read = app.store.read().await?;
    Ok(Json(budgets::entries(read.conn(), &who.team_id, balance.cycle_start).await?))
}
