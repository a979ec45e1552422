//! Checks on the request's framing that come before any handler: one `Authorization`
//! header at most (two would leave it ambiguous whose request this is), and a `POST` body
//! declared as JSON.

use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use credits_core::ErrorCode;

use crate::errors::ApiError;

/// Whether a `Content-Type` value names JSON (`application/json`, any parameters, or a
/// `+json` type).
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Middleware: 400 for two `Authorization` headers, 415 for a `POST` not declared as JSON.
pub async fn framing(request: Request, next: Next) -> Response {
    let headers = request.headers();
    if headers.get_all(header::AUTHORIZATION).iter().count() > 1 {
        return ApiError::new(ErrorCode::AmbiguousAuthorization, "send one Authorization header, not several").into_response();
    }
    if request.method() == Method::POST {
        let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_json);
        if !declared {
            return ApiError::new(ErrorCode::UnsupportedMediaType, "send the body as Content-Type: application/json").into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        for yes in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/problem+json"] {
            assert!(is_json(yes), "{yes}");
        }
        for no in ["", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "text/json+xml"] {
            assert!(!is_json(no), "{no}");
        }
    }
}
