//! `POST /v1/topups`: an owner records a paid Extra Credits pack.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use credits_core::api::{Balance, ErrorBody, TopupRequest};
use credits_core::topup::judge_topup;

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::ops;

#[utoipa::path(post, path = "/v1/topups", operation_id = "record_topup", tag = "credits", security(("bearer" = [])),
    request_body(content = TopupRequest, content_type = "application/json"),
    responses((status = 200, description = "Recorded (or recorded before under this id)", body = Balance),
        (status = 400, description = "Not JSON, an id that is not a UUID, credits not a whole number from 1 to 1,000,000", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 409, description = "The id was recorded with other credits or by another team", body = ErrorBody),
        (status = 415, description = "The body is not declared as JSON (Content-Type)", body = ErrorBody)))]
pub async fn post(State(app): State<AppState>, auth: Auth, body: Result<Bytes, BytesRejection>) -> Result<Json<Balance>, ApiError> {
    auth.require_owner()?;
    let who = auth.who;
    let body = body.map_err(super::body_error)?;
    let request = judge_topup(&body, &app.cfg)?;
    Ok(Json(ops::top_up(&app.store, &who.team_id, Some(&who.member_id), &request, ops::now(), &app.cfg).await?))
}
