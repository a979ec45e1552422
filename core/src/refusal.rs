//! Why the core refused a request. Each refusal changes nothing; the backend turns it into
//! the API's `{"error": {"code", "message"}}` with the HTTP status its code maps to.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::api::ErrorBody;

/// Every refusal code of the product: the `code` of an API error (and of the CLI's, and of
/// the extension's settings check). The backend maps each to one HTTP status.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // A request that is not well formed (400).
    BadRequest,
    InvalidJson,
    InvalidBody,
    InvalidBatch,
    EmptyBatch,
    TooManyEvents,
    DuplicateId,
    InvalidId,
    InvalidCredits,
    InvalidQuery,
    InvalidCursor,
    InvalidSeats,
    InvalidPlan,
    InvalidName,
    InvalidAnchor,
    InvalidRole,
    InvalidRules,
    AnchorInFuture,
    InvalidWebhookUrl,
    // Settings the extension checks before it sends anything.
    InvalidBackendUrl,
    InsecureBackendUrl,
    InvalidToken,
    // Who is asking.
    AmbiguousAuthorization,
    Unauthorized,
    Forbidden,
    MemberRevoked,
    // What is asked for.
    NotFound,
    TeamNotFound,
    MemberNotFound,
    UsageNotFound,
    MethodNotAllowed,
    // Already done otherwise.
    TopupIdReused,
    AlreadyRefunded,
    // How it is sent.
    MalformedRequest,
    UriTooLong,
    HeadersTooLarge,
    BodyTooLarge,
    UnsupportedMediaType,
    // Too many requests for one token or team.
    RateLimited,
    // The server.
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 41] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidBody,
        ErrorCode::InvalidBatch,
        ErrorCode::EmptyBatch,
        ErrorCode::TooManyEvents,
        ErrorCode::DuplicateId,
        ErrorCode::InvalidId,
        ErrorCode::InvalidCredits,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidCursor,
        ErrorCode::InvalidSeats,
        ErrorCode::InvalidPlan,
        ErrorCode::InvalidName,
        ErrorCode::InvalidAnchor,
        ErrorCode::InvalidRole,
        ErrorCode::InvalidRules,
        ErrorCode::AnchorInFuture,
        ErrorCode::InvalidWebhookUrl,
        ErrorCode::InvalidBackendUrl,
        ErrorCode::InsecureBackendUrl,
        ErrorCode::InvalidToken,
        ErrorCode::AmbiguousAuthorization,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::MemberRevoked,
        ErrorCode::NotFound,
        ErrorCode::TeamNotFound,
        ErrorCode::MemberNotFound,
        ErrorCode::UsageNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::TopupIdReused,
        ErrorCode::AlreadyRefunded,
        ErrorCode::MalformedRequest,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::BodyTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The wire code (`invalid_json`, ...).
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::InvalidBatch => "invalid_batch",
            ErrorCode::EmptyBatch => "empty_batch",
            ErrorCode::TooManyEvents => "too_many_events",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::InvalidId => "invalid_id",
            ErrorCode::InvalidCredits => "invalid_credits",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidCursor => "invalid_cursor",
            ErrorCode::InvalidSeats => "invalid_seats",
            ErrorCode::InvalidPlan => "invalid_plan",
            ErrorCode::InvalidName => "invalid_name",
            ErrorCode::InvalidAnchor => "invalid_anchor",
            ErrorCode::InvalidRole => "invalid_role",
            ErrorCode::InvalidRules => "invalid_rules",
            ErrorCode::AnchorInFuture => "anchor_in_future",
            ErrorCode::InvalidWebhookUrl => "invalid_webhook_url",
            ErrorCode::InvalidBackendUrl => "invalid_backend_url",
            ErrorCode::InsecureBackendUrl => "insecure_backend_url",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::TeamNotFound => "team_not_found",
            ErrorCode::MemberNotFound => "member_not_found",
            ErrorCode::UsageNotFound => "usage_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::TopupIdReused => "topup_id_reused",
            ErrorCode::AlreadyRefunded => "already_refunded",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::AmbiguousAuthorization => "ambiguous_authorization",
            ErrorCode::MemberRevoked => "member_revoked",
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::RateLimited => "rate_limited",
        }
    }

    pub fn from_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused request: a stable machine code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal { code, message: message.into() }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code, self.message.clone())
    }
}

/// A refusal reads as its message; the code is for machines.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        let distinct: std::collections::HashSet<_> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(distinct.len(), ErrorCode::ALL.len());
        assert_eq!(ErrorCode::from_code("teapot"), None);
    }
}
