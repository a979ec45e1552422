//! `GET /v1/me`: who the token belongs to.

use axum::Json;
use credits_core::api::{ErrorBody, Me};

use crate::auth::Auth;

#[utoipa::path(get, path = "/v1/me", operation_id = "get_me", tag = "team", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn get(Auth { who, .. }: Auth) -> Json<Me> {
    Json(Me { member_id: who.member_id, name: who.name, role: who.role, team_id: who.team_id, team_name: who.team_name })
}
