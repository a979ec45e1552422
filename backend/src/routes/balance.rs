//! `GET /v1/balance`: the stat cards, and the token's member against its budget.

use axum::Json;
use axum::extract::State;
use credits_core::api::{BalanceView, ErrorBody};
use credits_core::budget::MemberSpend;

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::{budgets, ops};

#[utoipa::path(get, path = "/v1/balance", operation_id = "get_balance", tag = "credits", security(("bearer" = [])),
    responses((status = 200, body = BalanceView), (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, Auth { who, ledger }: Auth) -> Result<Json<BalanceView>, ApiError> {
    // Refills are computed from the anchor at `now`: nothing to write.
    let team = ledger.balance(ops::now(), &app.cfg);
    let entry = budgets::entry(&app.store, &who.member_id, team.cycle_start).await?;
    let member = MemberSpend { used: entry.usage.used, budget: entry.budget }.view();
    Ok(Json(BalanceView { team, member }))
}
