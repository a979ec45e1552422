//! `GET /v1/balance`: the stat cards.

use axum::Json;
use axum::extract::State;
use credits_core::api::{Balance, ErrorBody};

use crate::AppState;
use crate::auth::Auth;
use crate::ops;

#[utoipa::path(get, path = "/v1/balance", operation_id = "get_balance", tag = "credits", security(("bearer" = [])),
    responses((status = 200, body = Balance), (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, Auth { ledger, .. }: Auth) -> Json<Balance> {
    // Refills are computed from the anchor at `now`: nothing to write.
    Json(ledger.balance(ops::now(), &app.cfg))
}
