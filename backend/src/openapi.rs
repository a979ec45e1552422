//! The OpenAPI document served at `GET /v1/openapi.json`.
//!
//! Paths come from the handlers' `#[utoipa::path]` attributes, collected by the same
//! `OpenApiRouter` that builds the router, so a served route cannot be missing from the
//! document. The core stays free of derive macros (it is shared with the WASM extension),
//! so the JSON types are mirrored here in [`schema`]; a test serializes real core values
//! and checks every mirror against them, field by field and value by value.

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

/// Mirrors of the core's API types (`credits_core::api`, `recognition::Rules`), for the
/// document only.
#[allow(dead_code)]
pub mod schema {
    use serde::Serialize;
    use utoipa::ToSchema;

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        Owner,
        Member,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Plan {
        Trial,
        Lite,
        Pro,
        Max,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Action {
        CoverLetter,
        JobAssistant,
        JobMatching,
        AutoBid,
        Answer,
        AiImprove,
        AiGenerate,
        TestTemplate,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Bucket {
        Monthly,
        Extra,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EventStatus {
        Applied,
        Duplicate,
        Rejected,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Reason {
        InsufficientCredits,
        UnknownAction,
        InvalidEvent,
    }

    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Advice {
        RaiseMatchThreshold,
        FilterBeforeOpening,
        FewerRegenerations,
        CoordinateMembers,
        ConsiderUpgrade,
    }

    /// `GET /v1/me`.
    #[derive(Serialize, ToSchema)]
    pub struct Me {
        #[schema(format = Uuid)]
        pub member_id: String,
        pub name: String,
        pub role: Role,
        #[schema(format = Uuid)]
        pub team_id: String,
        pub team_name: String,
    }

    /// The stat cards. `cycle_start` is the start of the period the counters describe.
    #[derive(Serialize, ToSchema)]
    pub struct Balance {
        pub remaining: u64,
        pub used: u64,
        pub total: u64,
        pub extra: u64,
        pub spendable: u64,
        /// Null once a trial is over (until a paid plan is set).
        #[schema(format = DateTime)]
        pub resets_at: Option<String>,
        pub plan: Plan,
        pub seats: u32,
        pub low: bool,
        #[schema(format = DateTime)]
        pub cycle_start: String,
    }

    /// One consumption event. Each event of a batch is judged alone: a bad one is answered
    /// `rejected` and the others still apply.
    #[derive(Serialize, ToSchema)]
    pub struct UsageEvent {
        /// A client-made UUID; the ledger applies an id at most once.
        #[schema(format = Uuid)]
        pub id: String,
        pub action: Action,
        pub regenerate: Option<bool>,
        /// `~0` followed by lowercase hex digits.
        pub job_id: Option<String>,
        /// Stored as the recording time when it is later than that.
        #[schema(format = DateTime)]
        pub occurred_at: String,
    }

    /// `POST /v1/usage` body (at most 1 MiB).
    #[derive(Serialize, ToSchema)]
    pub struct UsageBatch {
        #[schema(min_items = 1, max_items = 500)]
        pub events: Vec<UsageEvent>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct EventResult {
        /// The event's id when it was a string.
        pub id: Option<String>,
        pub status: EventStatus,
        pub reason: Option<Reason>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct UsageAnswer {
        pub results: Vec<EventResult>,
        pub balance: Balance,
    }

    #[derive(Serialize, ToSchema)]
    pub struct UsageRow {
        #[schema(format = Uuid)]
        pub id: String,
        pub action: Action,
        pub label: String,
        pub regenerate: bool,
        pub job_id: Option<String>,
        #[schema(format = Uuid)]
        pub member_id: String,
        /// The member's name.
        pub member: String,
        #[schema(format = DateTime)]
        pub occurred_at: String,
        #[schema(format = DateTime)]
        pub recorded_at: String,
        pub bucket: Bucket,
        /// What the row took: -1 today.
        pub credits: i64,
        pub refunded: bool,
    }

    #[derive(Serialize, ToSchema)]
    pub struct UsagePage {
        pub rows: Vec<UsageRow>,
        /// Pass as `before` for the next page; null on the last page.
        pub next_before: Option<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct MemberUsage {
        #[schema(format = Uuid)]
        pub member_id: String,
        pub name: String,
        pub role: Role,
        /// Credits used this cycle.
        pub used: u64,
    }

    /// `POST /v1/topups` body: a paid pack, idempotent by `id`.
    #[derive(Serialize, ToSchema)]
    pub struct TopupRequest {
        #[schema(format = Uuid)]
        pub id: String,
        #[schema(minimum = 1, maximum = 1000000)]
        pub credits: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ErrorDetail {
        pub code: String,
        pub message: String,
    }

    /// Every 4xx (and 500).
    #[derive(Serialize, ToSchema)]
    pub struct ErrorBody {
        pub error: ErrorDetail,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ActionCredits {
        pub action: Action,
        pub label: String,
        pub credits: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct MemberCredits {
        #[schema(format = Uuid)]
        pub member_id: String,
        pub name: String,
        pub credits: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct Regenerations {
        pub credits: u64,
        /// 0..=1.
        pub share: f64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct JobAssistantUnused {
        pub jobs: u64,
        pub credits: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct Matching {
        pub job_matching: u64,
        pub auto_bid: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct DailyCredits {
        #[schema(format = Date)]
        pub date: String,
        pub credits: u64,
    }

    #[derive(Serialize, ToSchema)]
    pub struct Forecast {
        pub per_day: f64,
        /// Null when the pool lasts past the reset.
        #[schema(format = DateTime)]
        pub runs_out_at: Option<String>,
        pub days_before_reset: Option<i64>,
    }

    /// `GET /v1/insights`.
    #[derive(Serialize, ToSchema)]
    pub struct Insights {
        #[schema(format = DateTime)]
        pub cycle_start: String,
        #[schema(format = DateTime)]
        pub resets_at: Option<String>,
        pub by_action: Vec<ActionCredits>,
        pub by_member: Vec<MemberCredits>,
        pub regenerations: Regenerations,
        pub job_assistant_unused: JobAssistantUnused,
        pub matching: Matching,
        pub daily: Vec<DailyCredits>,
        pub forecast: Forecast,
        pub advice: Vec<Advice>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct ControlRule {
        pub action: Action,
        pub names: Vec<String>,
        pub widget_markers: Vec<String>,
        pub url_prefixes: Option<Vec<String>>,
    }

    /// `GET /v1/rules`: the recognition rules, the shape shipped in the extension.
    #[derive(Serialize, ToSchema)]
    pub struct Rules {
        pub version: u32,
        pub container_marker: String,
        pub url_prefixes: Vec<String>,
        pub controls: Vec<ControlRule>,
        pub regenerate_names: Vec<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct Health {
        pub status: String,
    }
}

#[cfg(test)]
mod tests {
    use credits_core::api::*;
    use credits_core::recognition::Rules;
    use credits_core::{Action, Plan};
    use serde_json::{Value, json};
    use std::collections::BTreeSet;

    fn doc() -> Value {
        serde_json::to_value(crate::routes::document()).unwrap()
    }

    /// Resolves `$ref`s and unwraps `Option`'s null alternative.
    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/schemas/");
            return resolve(doc, &doc["components"]["schemas"][name]);
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(alts) = schema.get(key).and_then(Value::as_array) {
                let real: Vec<&Value> = alts.iter().filter(|a| a.get("type") != Some(&json!("null"))).collect();
                if real.len() == 1 {
                    return resolve(doc, real[0]);
                }
            }
        }
        schema
    }

    /// Checks that `sample` (a serialized core value, every optional part present) has
    /// exactly the fields the schema names, recursively, and enum values the schema lists.
    fn check(doc: &Value, schema: &Value, sample: &Value, at: &str) {
        let schema = resolve(doc, schema);
        match sample {
            Value::Object(fields) => {
                let props = schema["properties"].as_object().unwrap_or_else(|| panic!("{at}: schema has no properties: {schema}"));
                let want: BTreeSet<&String> = props.keys().collect();
                let got: BTreeSet<&String> = fields.keys().collect();
                assert_eq!(want, got, "{at}: fields of the schema vs the core's JSON");
                for (k, v) in fields {
                    check(doc, &props[k], v, &format!("{at}.{k}"));
                }
                for r in schema["required"].as_array().into_iter().flatten() {
                    assert!(fields.contains_key(r.as_str().unwrap()), "{at}: required {r} missing");
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    check(doc, &schema["items"], v, &format!("{at}[{i}]"));
                }
            }
            Value::String(s) => {
                if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                    assert!(values.contains(&json!(s)), "{at}: {s} not among {values:?}");
                }
            }
            _ => {}
        }
    }

    fn check_type(doc: &Value, name: &str, sample: impl serde::Serialize) {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        check(doc, &schema, &serde_json::to_value(sample).unwrap(), name);
    }

    /// The enum's values in the document equal the core's codes.
    fn check_enum(doc: &Value, name: &str, codes: &[&str]) {
        let values: BTreeSet<&str> = doc["components"]["schemas"][name]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(values, codes.iter().copied().collect(), "{name}");
    }

    #[test]
    fn every_mirror_matches_the_core_json() {
        let doc = doc();
        let t = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let balance = Balance {
            remaining: 1,
            used: 2,
            total: 3,
            extra: 4,
            spendable: 5,
            resets_at: Some(t),
            plan: Plan::Pro,
            seats: 1,
            low: false,
            cycle_start: t,
        };
        let id = uuid::Uuid::from_u128(7);
        check_type(&doc, "Me", Me { member_id: "m".into(), name: "n".into(), role: Role::Owner, team_id: "t".into(), team_name: "tn".into() });
        check_type(&doc, "Balance", &balance);
        check_type(
            &doc,
            "UsageBatch",
            UsageBatch { events: vec![UsageEvent { id, action: Action::Answer, regenerate: true, job_id: Some("~01ab".into()), occurred_at: t }] },
        );
        check_type(
            &doc,
            "UsageAnswer",
            UsageAnswer {
                results: vec![EventResult { id: Some("x".into()), status: EventStatus::Rejected, reason: Some(Reason::InvalidEvent) }],
                balance: balance.clone(),
            },
        );
        let row = UsageRow {
            id: id.to_string(),
            action: Action::CoverLetter,
            label: "Cover Letter".into(),
            regenerate: false,
            job_id: Some("~01ab".into()),
            member_id: "m".into(),
            member: "n".into(),
            occurred_at: t,
            recorded_at: t,
            bucket: Bucket::Extra,
            credits: -1,
            refunded: false,
        };
        check_type(&doc, "UsagePage", UsagePage { rows: vec![row], next_before: Some("c".into()) });
        check_type(&doc, "MemberUsage", MemberUsage { member_id: "m".into(), name: "n".into(), role: Role::Member, used: 3 });
        check_type(&doc, "TopupRequest", TopupRequest { id, credits: 100 });
        check_type(&doc, "ErrorBody", ErrorBody::new("code", "message"));
        let insights = Insights {
            cycle_start: t,
            resets_at: Some(t),
            by_action: vec![ActionCredits { action: Action::AutoBid, label: "Auto Bid".into(), credits: 1 }],
            by_member: vec![MemberCredits { member_id: "m".into(), name: "n".into(), credits: 1 }],
            regenerations: Regenerations { credits: 1, share: 0.5 },
            job_assistant_unused: JobAssistantUnused { jobs: 1, credits: 1 },
            matching: Matching { job_matching: 1, auto_bid: 1 },
            daily: vec![DailyCredits { date: "2026-11-06".into(), credits: 1 }],
            forecast: Forecast { per_day: 1.0, runs_out_at: Some(t), days_before_reset: Some(2) },
            advice: vec![Advice::ConsiderUpgrade],
        };
        check_type(&doc, "Insights", insights);
        let mut rules = Rules::shipped();
        rules.controls[0].url_prefixes = vec!["https://www.upwork.com/jobs/".into()];
        check_type(&doc, "Rules", rules);

        check_enum(&doc, "Action", &Action::ALL.map(Action::code));
        check_enum(&doc, "Plan", &Plan::ALL.map(Plan::code));
        check_enum(&doc, "Reason", &[Reason::InsufficientCredits, Reason::UnknownAction, Reason::InvalidEvent].map(Reason::code));
        check_enum(&doc, "Role", &[Role::Owner, Role::Member].map(Role::code));
        check_enum(&doc, "Bucket", &[Bucket::Monthly, Bucket::Extra].map(Bucket::code));
        let advice = [
            Advice::RaiseMatchThreshold,
            Advice::FilterBeforeOpening,
            Advice::FewerRegenerations,
            Advice::CoordinateMembers,
            Advice::ConsiderUpgrade,
        ];
        let codes: Vec<String> = advice.iter().map(|a| serde_json::to_value(a).unwrap().as_str().unwrap().to_owned()).collect();
        check_enum(&doc, "Advice", &codes.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn the_document_lists_every_route_of_the_spec() {
        let doc = doc();
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
            "GET /v1/members",
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
