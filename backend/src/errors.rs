//! Errors: a core [`Refusal`] (or one of the backend's own) becomes a status and the API's
//! `{"error": {"code", "message"}}`. Every 4xx has that shape, including axum's own
//! rejections, 404 for unknown routes and 405, which [`json_errors`] rewrites.

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use credits_core::api::ErrorBody;
use credits_core::{ErrorCode, Refusal};

/// A request that failed: refused (4xx, nothing changed) or broken inside (500).
#[derive(Debug)]
pub enum ApiError {
    Refused(Refusal),
    Internal(String),
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Refused(Refusal::new(code, message))
    }

    /// The machine code: the refusal's, or `internal`.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Refused(r) => r.code,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        status_for(self.code())
    }
}

/// The status of each code. No default arm: a new code must be given its status here.
pub fn status_for(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        BadRequest
        | MalformedRequest
        | AmbiguousAuthorization
        | InvalidJson
        | InvalidBody
        | InvalidBatch
        | EmptyBatch
        | TooManyEvents
        | DuplicateId
        | InvalidId
        | InvalidCredits
        | InvalidQuery
        | InvalidCursor
        | InvalidSeats
        | InvalidPlan
        | InvalidName
        | InvalidAnchor
        | InvalidRole
        | InvalidRules
        | AnchorInFuture
        | InvalidWebhookUrl => StatusCode::BAD_REQUEST,
        // The extension's own checks; never answered by the server.
        InvalidBackendUrl | InsecureBackendUrl | InvalidToken => StatusCode::BAD_REQUEST,
        Unauthorized => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        NotFound | TeamNotFound | MemberNotFound | UsageNotFound => StatusCode::NOT_FOUND,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        TopupIdReused | AlreadyRefunded | MemberRevoked => StatusCode::CONFLICT,
        UriTooLong => StatusCode::URI_TOO_LONG,
        HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The code for a bare status (axum's rejections and fallbacks).
fn code_for(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Refused(r) => write!(f, "{} ({})", r.message, r.code),
            ApiError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Refused(r)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return ApiError::new(ErrorCode::Unavailable, "the database is unavailable; retry shortly");
        }
        ApiError::Internal(format!("database: {e}"))
    }
}

/// How long a client should wait before retrying a 503 or a 429 without its own figure.
pub const RETRY_AFTER_SECS: u64 = 2;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Refused(r) => r.body(),
            ApiError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                // Details stay in the log.
                ErrorBody::new(ErrorCode::Internal, "internal error")
            }
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE && !response.headers().contains_key(header::RETRY_AFTER) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

/// Unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such route")
}

/// Rewrites any error response that is not JSON yet (axum's extractor rejections, 405,
/// a body over the limit) into the API's error shape, keeping its text as the message.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024).await.map(|b| String::from_utf8_lossy(&b).trim().to_owned()).unwrap_or_default();
    let message = if text.is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { text };
    let body = serde_json::to_vec(&ErrorBody::new(code_for(status), message)).unwrap_or_default();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    if status == StatusCode::UNAUTHORIZED {
        parts.headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_by_code() {
        assert_eq!(status_for(ErrorCode::BodyTooLarge), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status_for(ErrorCode::InvalidJson), StatusCode::BAD_REQUEST);
        assert_eq!(status_for(ErrorCode::Unauthorized), StatusCode::UNAUTHORIZED);
        assert_eq!(status_for(ErrorCode::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(status_for(ErrorCode::TopupIdReused), StatusCode::CONFLICT);
        assert_eq!(ApiError::Internal("x".into()).status(), StatusCode::INTERNAL_SERVER_ERROR);
        // A bare status and its code agree both ways.
        for code in ErrorCode::ALL {
            let status = status_for(code);
            if code_for(status) != ErrorCode::BadRequest {
                assert_eq!(status_for(code_for(status)), status, "{code}");
            }
        }
    }

    #[tokio::test]
    async fn plain_text_errors_become_json() {
        let plain = (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET")], "").into_response();
        let r = json_errors(plain).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[header::ALLOW], "GET");
        let body = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        let e: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(e.error.code, ErrorCode::MethodNotAllowed);
        assert_eq!(e.error.message, "Method Not Allowed");
    }
}
