//! Prometheus metrics (OpenMetrics text at `GET /metrics`): requests by route and status,
//! a latency histogram by route, and usage events by outcome. One registry per app, so
//! servers started side by side in one process (tests) keep their own counts.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use credits_core::api::{EventStatus, Reason};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route template (`/v1/usage`), never the raw path: bounded cardinality.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    status: &'static str,
    /// Empty unless rejected.
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    /// `token` or `team`.
    scope: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    events: Family<EventLabels, Counter>,
    limited: Family<LimitLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms .. ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let events = Family::<EventLabels, Counter>::default();
        registry.register("credits_http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register("credits_http_request_duration_seconds", "HTTP request latency by method and route", latency.clone());
        registry.register("credits_usage_events", "Usage events answered, by status and rejection reason", events.clone());
        let limited = Family::<LimitLabels, Counter>::default();
        registry.register("credits_rate_limited", "Requests refused with 429, by the limit they met", limited.clone());
        Metrics { registry, requests, latency, events, limited }
    }
}

impl Metrics {
    /// Counts one answered usage event.
    pub fn event(&self, status: EventStatus, reason: Option<Reason>) {
        let status = match status {
            EventStatus::Applied => "applied",
            EventStatus::Duplicate => "duplicate",
            EventStatus::Rejected => "rejected",
        };
        self.events.get_or_create(&EventLabels { status, reason: reason.map_or("", Reason::code) }).inc();
    }

    /// Counts one request refused by a limit.
    pub fn limited(&self, scope: crate::limits::Scope) {
        self.limited.get_or_create(&LimitLabels { scope: scope.code() }).inc();
    }

    /// The registry in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Middleware: counts and times every request under its route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics.latency.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(seconds);
    metrics.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
    tracing::debug!(%method, %route, status, ms = seconds * 1000.0, "request");
    response
}

/// `GET /metrics`.
pub async fn serve(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.render())
}
