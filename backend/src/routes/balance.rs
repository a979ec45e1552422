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
    // came with the token; only a counter of another cycle needs the rows summed.
    let team = ledger.balance(ops::now(), &app.cfg);
    let member = match counter.spend(team.cycle_start) {
        Some(spend) => spend,
        None => budgets::spend(&app.store, &who.member_id, team.cycle_start).await?,
    };
    Ok(Json(BalanceView { team, member: member.view() }))
}
