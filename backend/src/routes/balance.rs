//! `GET /v1/balance`: the stat cards, and the token's member against its budget.

use axum::Json;
use axum::extract::State;
use credits_core::api::{BalanceView, ErrorBody};

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::{budgets, ops};

#[utoipa::path(get, path = "/v1/balance", operation_id = "get_balance", tag = "credits", security(("bearer" = [])),
    responses((status = 200, body = BalanceView), (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, Auth { who, ledger, counter }: Auth) -> Result<Json<BalanceView>, ApiError> {
    // Refills are computed from the anchor at `now`: nothing to write. The member's counter
    // came with the token (one query in all while it counts this cycle).
    let team = ledger.balance(ops::now(), &app.cfg);
    let member = budgets::spend(&app.store, &who.member_id, &counter, team.cycle_start).await?.view();
    Ok(Json(BalanceView { team, member }))
}
