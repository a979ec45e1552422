//! `prices set`: the operator's prices for the plan advisor (checked by the core).

use credits_core::insights::plan_advice::Prices;
use credits_core::{ErrorCode, Timestamp};

use crate::Store;
use crate::db::plans;
use crate::errors::ApiError;

/// Checks and stores a prices document; returns it as stored.
pub async fn set(store: &Store, json: &str, now: Timestamp) -> Result<String, ApiError> {
    let prices =
        serde_json::from_str::<Prices>(json).map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("not a prices document: {e}")))?.check()?;
    let body = serde_json::to_string(&prices).expect("prices serialize");
    let mut tx = store.begin().await?;
    plans::set_prices(tx.conn(), &body, now).await?;
    tx.commit().await?;
    Ok(body)
}
