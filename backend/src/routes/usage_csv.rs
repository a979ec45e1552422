//! `GET /v1/usage.csv`: everything the Usage History's filters select, as CSV (the credits
//! page's export). Streamed: read from the database a page at a time along the history's
//! own cursor, each page in its own short read, so a long history is never held in memory
//! (nor a read transaction held open while a slow client downloads).

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use credits_core::Action;
use credits_core::api::ErrorBody;
use credits_core::usage_csv::{HEADER, line};
use serde::Deserialize;

use super::usage::UsageQuery;
use crate::AppState;
use crate::auth::Auth;
use crate::db::queries::{self, UsageFilter};
use crate::errors::ApiError;

/// Rows read per database round trip.
const CHUNK: u32 = 500;

/// The filters of `GET /v1/usage`, without the paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// Only this action (`cover_letter`, ...).
    #[param(value_type = Option<Action>)]
    action: Option<String>,
    /// Only this member's rows (a member id).
    #[param(format = Uuid)]
    member: Option<String>,
    /// Only this job's rows (`~0...`).
    job_id: Option<String>,
    /// Only rows that occurred at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<String>,
    /// Only rows that occurred before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<String>,
}

#[utoipa::path(get, path = "/v1/usage.csv", operation_id = "export_usage", tag = "credits", security(("bearer" = [])), params(CsvQuery),
    responses((status = 200, description = "Every row the filters select, newest first by `occurred_at`, as CSV (RFC 4180, a header line)", content_type = "text/csv"),
        (status = 400, description = "A bad action, member, job id, from or to", body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    Auth { who, .. }: Auth,
    query: Result<Query<CsvQuery>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::new(credits_core::ErrorCode::InvalidQuery, e.body_text()))?;
    let usage = UsageQuery { action: q.action, member: q.member, job_id: q.job_id, from: q.from, to: q.to, ..UsageQuery::default() };
    let (filter, _) = usage.filter()?;
    let team = who.team_id;
    // State: the filter with the cursor of the next page; None once the last page is out.
    let pages = futures_util::stream::unfold(Some((filter, true)), move |next| {
        let (app, team) = (app.clone(), team.clone());
        async move {
            let (mut filter, first) = next?;
            let rows = match page(&app, &team, &filter).await {
                Ok(rows) => rows,
                // The status is sent already: a cut-off body tells the client.
                Err(e) => return Some((Err(std::io::Error::other(e)), None)),
            };
            let mut chunk = if first { HEADER.to_owned() } else { String::new() };
            rows.iter().for_each(|r| chunk.push_str(&line(r)));
            let more = rows.len() == CHUNK as usize;
            filter.before = rows.last().map(|r| (r.occurred_at, r.id.clone()));
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), more.then_some((filter, false))))
        }
    });
    let headers = [(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"usage.csv\"")];
    Ok((headers, Body::from_stream(pages)))
}

async fn page(app: &AppState, team: &str, filter: &UsageFilter) -> sqlx::Result<Vec<credits_core::api::UsageRow>> {
    let mut read = app.store.read().await?;
    queries::usage_rows(read.conn(), team, filter, CHUNK).await
}
