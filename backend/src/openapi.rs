//! The OpenAPI document served at `GET /v1/openapi.json`.
//!
//! Paths come from the handlers' `#[utoipa::path]` attributes, collected by the same
//! `OpenApiRouter` that builds the router, so a served route cannot be missing from the
//! document. The schemas are the core's own wire types (`utoipa::ToSchema`, derived behind
//! the core's `openapi` feature, which only this crate turns on).

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Upwex Credits",
        version = "1",
        description = "The team credit ledger. Errors are `{\"error\": {\"code\", \"message\"}}` with a 4xx status; a bad request changes nothing."
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The document as served (set by the router once the routes are collected).
#[derive(Clone)]
pub struct Document(pub Arc<String>);

/// `GET /v1/openapi.json`.
#[utoipa::path(get, path = "/v1/openapi.json", operation_id = "get_openapi", tag = "operations", responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn serve(Extension(doc): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    #[test]
    fn the_document_lists_every_route_of_the_spec() {
        let doc: Value = serde_json::to_value(crate::routes::document()).unwrap();
        let mut served: Vec<String> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                served.push(format!("{} {path}", method.to_uppercase()));
            }
        }
        served.sort();
        let mut want = vec![
            "GET /v1/me",
            "GET /v1/balance",
            "POST /v1/usage",
            "GET /v1/usage",
            "GET /v1/usage.csv",
            "GET /v1/members",
            "PUT /v1/members/{member_id}/budget",
            "GET /v1/audit",
            "POST /v1/topups",
            "GET /v1/insights",
            "GET /v1/rules",
            "GET /v1/openapi.json",
            "GET /healthz",
            "GET /metrics",
        ];
        want.sort();
        assert_eq!(served, want);
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}
