//! `PUT /v1/members/{member_id}/budget`: an owner caps what one member may use per cycle.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use credits_core::ErrorCode;
use credits_core::api::{BudgetRequest, ErrorBody, MemberEntry};

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::{budgets, ops};

#[utoipa::path(put, path = "/v1/members/{member_id}/budget", operation_id = "set_member_budget", tag = "team", security(("bearer" = [])),
    params(("member_id" = String, Path, description = "A member of the token's team")),
    request_body(content = BudgetRequest, content_type = "application/json",
        description = "`{\"credits\": N}` caps the member at N credits per cycle (0 to 1,000,000,000); `{\"credits\": null}` removes the cap"),
    responses(
        (status = 200, description = "The member's entry, as in `GET /v1/members`", body = MemberEntry),
        (status = 400, description = "Not a budget", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such member in the team", body = ErrorBody)))]
pub async fn put(
    State(app): State<AppState>,
    auth: Auth,
    Path(member): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<MemberEntry>, ApiError> {
    auth.require_owner()?;
    let body = body.map_err(super::body_error)?;
    let request = parse(&body)?;
    Ok(Json(
        budgets::set_budget(&app.store, Some(&auth.who.team_id), Some(&auth.who.member_id), &member, request.credits, ops::now(), &app.cfg).await?,
    ))
}

/// The body must name `credits` (a whole number or null): a missing field is not "none".
fn parse(body: &[u8]) -> Result<BudgetRequest, ApiError> {
    let invalid = |m: String| ApiError::new(ErrorCode::InvalidCredits, m);
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::new(ErrorCode::InvalidJson, format!("the body is not JSON: {e}")))?;
    if value.get("credits").is_none() {
        return Err(invalid("the body must be {\"credits\": N} or {\"credits\": null}".into()));
    }
    serde_json::from_value(value).map_err(|e| invalid(format!("credits must be a whole number from 0 or null: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(parse(br#"{"credits": 20}"#).unwrap().credits, Some(20));
        assert_eq!(parse(br#"{"credits": null}"#).unwrap().credits, None);
        for bad in [&br#"{}"#[..], br#"{"credits": -1}"#, br#"{"credits": 1.5}"#, br#"{"credits": "5"}"#, b"[1]"] {
            assert_eq!(parse(bad).unwrap_err().code(), ErrorCode::InvalidCredits, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(b"nope").unwrap_err().code(), ErrorCode::InvalidJson);
    }
}
