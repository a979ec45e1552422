//! Top-ups: a paid pack recorded into Extra Credits, idempotent by its id.

use crate::api::TopupRequest;
use crate::ledger::Ledger;
use crate::plan::CreditConfig;
use crate::refusal::{ErrorCode, Refusal};

/// Records a top-up unless its id was recorded before. `prior` is the credits recorded
/// under that id, if any: the same request again changes nothing; the same id with another
/// amount is refused (a client bug, not a second purchase).
pub fn apply_topup(ledger: &mut Ledger, request: &TopupRequest, prior: Option<u64>, cfg: &CreditConfig) -> Result<TopupOutcome, Refusal> {
    match prior {
        Some(credits) if credits == request.credits => Ok(TopupOutcome::AlreadyRecorded),
        Some(credits) => Err(Refusal::new(ErrorCode::TopupIdReused, format!("top-up {} was recorded with {credits} credits", request.id))),
        None => {
            ledger.top_up(request.credits, cfg)?;
            Ok(TopupOutcome::Recorded)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopupOutcome {
    /// New: the backend stores the id with its credits.
    Recorded,
    AlreadyRecorded,
}

/// Judges a `POST /v1/topups` body: `id` a UUID, `credits` a whole number in range.
#[cfg(feature = "json")]
pub fn judge_topup(body: &[u8], cfg: &CreditConfig) -> Result<TopupRequest, Refusal> {
    use serde_json::Value;
    let value: Value = serde_json::from_slice(body).map_err(|e| Refusal::new(ErrorCode::InvalidJson, format!("the body is not JSON: {e}")))?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| uuid::Uuid::try_parse(s).ok())
        .ok_or_else(|| Refusal::new(ErrorCode::InvalidId, "\"id\" must be a UUID string"))?;
    let credits = match value.get("credits") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| Refusal::new(ErrorCode::InvalidCredits, format!("credits must be a whole number from 1 to {}, got {n}", cfg.max_topup)))?,
        _ => return Err(Refusal::new(ErrorCode::InvalidCredits, "\"credits\" must be a number")),
    };
    Ok(TopupRequest { id, credits: crate::ledger::check_topup(credits, cfg)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use chrono::Utc;

    #[test]
    fn a_topup_is_recorded_once() {
        let cfg = CreditConfig::default();
        let mut l = Ledger::new(Plan::Lite, 1, None, chrono::DateTime::<Utc>::UNIX_EPOCH, &cfg).unwrap();
        let req = TopupRequest { id: uuid::Uuid::from_u128(9), credits: 500 };
        assert_eq!(apply_topup(&mut l, &req, None, &cfg), Ok(TopupOutcome::Recorded));
        assert_eq!(apply_topup(&mut l, &req, Some(500), &cfg), Ok(TopupOutcome::AlreadyRecorded));
        assert_eq!(l.extra, 500);
        assert_eq!(apply_topup(&mut l, &req, Some(100), &cfg).unwrap_err().code, "topup_id_reused");
        assert_eq!(l.extra, 500);
    }

    #[cfg(feature = "json")]
    #[test]
    fn bad_topups_are_refused() {
        let cfg = CreditConfig::default();
        let id = "0b7a1c52-3f7e-4c8e-9d5e-2a4b6c8d0e1f";
        let ok = judge_topup(format!(r#"{{"id":"{id}","credits":100}}"#).as_bytes(), &cfg).unwrap();
        assert_eq!(ok.credits, 100);
        for (body, code) in [
            (format!(r#"{{"id":"{id}","credits":0}}"#), "invalid_credits"),
            (format!(r#"{{"id":"{id}","credits":-5}}"#), "invalid_credits"),
            (format!(r#"{{"id":"{id}","credits":2.5}}"#), "invalid_credits"),
            (format!(r#"{{"id":"{id}","credits":1000001}}"#), "invalid_credits"),
            (format!(r#"{{"id":"{id}","credits":"100"}}"#), "invalid_credits"),
            (r#"{"id":"pack-1","credits":100}"#.to_owned(), "invalid_id"),
            ("{".to_owned(), "invalid_json"),
        ] {
            assert_eq!(judge_topup(body.as_bytes(), &cfg).unwrap_err().code, code, "{body}");
        }
    }
}
