//! `GET /v1/insights`: where this cycle's credits went (the core computes it).

use axum::Json;
use axum::extract::State;
use credits_core::api::{ErrorBody, Insights};

use crate::AppState;
use crate::auth::Auth;
use crate::db::queries::{self, UsageFilter};
use crate::errors::ApiError;
use crate::ops;

#[utoipa::path(get, path = "/v1/insights", operation_id = "get_insights", tag = "credits", security(("bearer" = [])),
    responses((status = 200, body = Insights), (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, Auth { who, ledger }: Auth) -> Result<Json<Insights>, ApiError> {
    let now = ops::now();
    let balance = ledger.balance(now, &app.cfg);
    let mut read = app.store.read().await?;
    let this_cycle = UsageFilter { since: Some(balance.cycle_start), ..UsageFilter::default() };
    let rows = queries::usage_rows(read.conn(), &who.team_id, &this_cycle, u32::MAX).await?;
    Ok(Json(credits_core::insights::insights(&rows, &balance, now)))
}
