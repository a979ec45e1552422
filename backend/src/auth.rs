//! Bearer tokens: 256 random bits from the OS, shown once as `upx_` + URL-safe base64
//! (43 characters); the database keeps only the SHA-256 (hex) and looks tokens up by it.
//! Nothing is cached, so a revoked member's tokens stop at the next request.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use credits_core::{ErrorCode, Ledger};

use crate::AppState;
use crate::db::budgets::Counter;
use crate::db::queries::{self, Principal};
use crate::errors::ApiError;
use crate::limits::Limited;

/// What every token starts with, so a leaked one is recognizable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "upx_";

/// A fresh token: 32 bytes from the operating system's RNG.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a token, lowercase hex: what the database stores.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The authenticated member of a request (401 when there is none), and its team's ledger
/// as read with the token (for reads; writes lock and read it again).
#[derive(Clone, Debug)]
pub struct Auth {
    pub who: Principal,
    pub ledger: Ledger,
    /// The member's budget counter, read with the rest (a balance read needs no other query).
    pub counter: Counter,
}

impl Auth {
    /// Top-ups are for owners: a member's token gets 403.
    pub fn require_owner(&self) -> Result<(), ApiError> {
        match self.who.role {
            credits_core::api::Role::Owner => Ok(()),
            credits_core::api::Role::Member => Err(ApiError::new(ErrorCode::Forbidden, "only a team owner may do this")),
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 256).then_some(token)
}

impl FromRequestParts<AppState> for Auth {
    /// An [`ApiError`], or a 429 from the limits (checked per token before the lookup, per
    /// team after it).
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let limited = |l: Limited| {
            state.metrics.limited(l.scope);
            l.into_response()
        };
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "send Authorization: Bearer <token>").into_response())?;
        let hash = token_hash(token);
        state.limits.check_token(&hash).map_err(limited)?;
        let lookup = async {
            let mut read = state.store.read().await?;
            let found = queries::principal_by_token_hash(read.conn(), &hash).await?;
            found.map(|(who, ledger, counter)| Auth { who, ledger, counter }).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "unknown or revoked token"))
        };
        let auth = lookup.await.map_err(IntoResponse::into_response)?;
        state.limits.check_team(&auth.who.team_id).map_err(limited)?;
        Ok(auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_prefixed_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        let raw = a.strip_prefix(TOKEN_PREFIX).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).unwrap();
        assert_eq!(bytes.len(), 32);
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
