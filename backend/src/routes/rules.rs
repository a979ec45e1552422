//! `GET /v1/rules`: the recognition rules in force, with an ETag (`If-None-Match` -> 304).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use credits_core::api::ErrorBody;
use credits_core::recognition::Rules;

use crate::AppState;
use crate::auth::Auth;
use crate::errors::ApiError;
use crate::ops;

/// Whether `If-None-Match` names `etag` (weak comparison, as for GET).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

#[utoipa::path(get, path = "/v1/rules", operation_id = "get_rules", tag = "extension", security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses((status = 200, body = Rules, headers(("ETag" = String, description = "Hash of the rules' canonical JSON"))),
        (status = 304, description = "The rules still have this ETag"),
        (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, _auth: Auth, headers: HeaderMap) -> Result<Response, ApiError> {
    let (body, etag) = ops::current_rules(&app.store).await?;
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::Internal(format!("etag: {e}")))?;
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if not_modified(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value), cache]).into_response());
    }
    Ok(([(header::ETAG, etag_value), (header::CONTENT_TYPE, HeaderValue::from_static("application/json")), cache], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_forms() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        let etag = "\"abc\"";
        assert!(not_modified(&with("\"abc\""), etag));
        assert!(not_modified(&with("W/\"abc\""), etag));
        assert!(not_modified(&with("\"x\", \"abc\""), etag));
        assert!(not_modified(&with("*"), etag));
        assert!(!not_modified(&with("\"abd\""), etag));
        assert!(!not_modified(&HeaderMap::new(), etag));
    }
}
