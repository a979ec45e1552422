//! The HTTP API (SPEC section 3), one file per resource. Handlers parse, authorize, call
//! `ops` (which runs the core inside a transaction) and answer.

mod audit;
mod balance;
mod budget;
mod health;
mod insights;
mod me;
mod members;
mod rules;
mod topups;
mod usage;
mod usage_csv;

use axum::Extension;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use credits_core::ErrorCode;
use credits_core::batch::MAX_BATCH_BYTES;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::openapi::{self, ApiDoc, Document};
use crate::{errors, metrics};

/// The routes with their OpenAPI description, collected together.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::get))
        .routes(routes!(balance::get))
        .routes(routes!(usage::post, usage::list))
        .routes(routes!(usage_csv::get))
        .routes(routes!(members::list))
        .routes(routes!(budget::put))
        .routes(routes!(audit::list))
        .routes(routes!(topups::post))
        .routes(routes!(insights::get))
        .routes(routes!(rules::get))
        .routes(routes!(openapi::serve))
        .routes(routes!(health::healthz))
        .routes(routes!(health::metrics))
}

/// The OpenAPI document of [`routes`].
pub fn document() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The application: routes, the JSON error shape for everything, metrics, the body limit.
pub fn app(state: AppState) -> axum::Router {
    let metrics = state.metrics.clone();
    let (router, api) = routes().split_for_parts();
    let doc = Document(std::sync::Arc::new(api.to_json().expect("the OpenAPI document serializes")));
    router
        .route_layer(middleware::from_fn(crate::guards::framing))
        .fallback(errors::not_found)
        .layer(middleware::map_response(errors::json_errors))
        .layer(Extension(doc))
        // The largest body any route reads: a usage batch. Larger ones get 413.
        .layer(DefaultBodyLimit::max(MAX_BATCH_BYTES))
        .layer(middleware::from_fn_with_state(metrics, metrics::track))
        .with_state(state)
}

/// A rejected body: 413 over the limit, else 400.
pub(crate) fn body_error(rejection: axum::extract::rejection::BytesRejection) -> errors::ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        errors::ApiError::new(ErrorCode::BodyTooLarge, format!("a body is at most {MAX_BATCH_BYTES} bytes"))
    } else {
        errors::ApiError::new(ErrorCode::InvalidBody, rejection.body_text())
    }
}
