//! `GET /v1/insights`: where this cycle's credits went, and the plan advisor (the core
//! computes both).

use axum::Json;
use axum::extract::State;
use credits_core::api::{ErrorBody, InsightsView};
use credits_core::insights::plan_advice::{Prices, completed_cycles, plan_advice};

use crate::AppState;
use crate::auth::Auth;
use crate::db::plans;
use crate::db::queries::{self, UsageFilter};
use crate::errors::ApiError;
use crate::ops;

#[utoipa::path(get, path = "/v1/insights", operation_id = "get_insights", tag = "credits", security(("bearer" = [])),
    responses((status = 200, body = InsightsView), (status = 401, body = ErrorBody)))]
pub async fn get(State(app): State<AppState>, Auth { who, ledger, .. }: Auth) -> Result<Json<InsightsView>, ApiError> {
    let now = ops::now();
    let balance = ledger.balance(now, &app.cfg);
    let mut read = app.store.read().await?;
    let this_cycle = UsageFilter { since: Some(balance.cycle_start), ..UsageFilter::default() };
    let rows = queries::usage_rows(read.conn(), &who.team_id, &this_cycle, u32::MAX).await?;
    let insights = credits_core::insights::insights(&rows, &balance, now);
    let mut cycles = Vec::new();
    for (start, end) in completed_cycles(ledger.plan, ledger.anchor, balance.cycle_start, &app.cfg) {
        cycles.push(plans::cycle_use(read.conn(), &who.team_id, start, end).await?);
    }
    // Stored only after `Prices::check`; a document that no longer reads is ignored.
    let prices = plans::prices(read.conn()).await?.and_then(|body| serde_json::from_str::<Prices>(&body).ok());
    let plan_advice = plan_advice(&cycles, &balance, now, &app.cfg, prices.as_ref());
    Ok(Json(InsightsView { insights, plan_advice }))
}
