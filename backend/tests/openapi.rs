//! The served OpenAPI document tells the truth: it lists every route, the requests the
//! server takes fit the request schemas, and real answers of every operation fit the
//! schema the document declares for their status, with no field the document omits.

mod common;

use common::*;
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A validator for `schema`, a schema inside `doc`, with `$ref`s resolved in the document.
/// `closed` also refuses properties the document does not list (for answers; the server
/// ignores unknown fields of a request).
fn validator(doc: &Value, schema: &Value, closed: bool) -> jsonschema::Validator {
    let mut components = doc["components"].clone();
    if closed {
        // A flattened type is an `allOf`; closed, it is one object with every part's fields.
        let originals = components["schemas"].clone();
        for s in components["schemas"].as_object_mut().unwrap().values_mut() {
            let Some(parts) = s.get("allOf").and_then(Value::as_array).cloned() else { continue };
            let (mut properties, mut required) = (serde_json::Map::new(), Vec::new());
            for part in parts {
                let part = match part["$ref"].as_str() {
                    Some(r) => originals[r.trim_start_matches("#/components/schemas/")].clone(),
                    None => part,
                };
                properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
                required.extend(part["required"].as_array().cloned().unwrap_or_default());
            }
            *s = json!({ "type": "object", "properties": properties, "required": required });
        }
        for s in components["schemas"].as_object_mut().unwrap().values_mut() {
            if s.get("properties").is_some() {
                s["additionalProperties"] = json!(false);
            }
        }
    }
    let mut root = schema.clone();
    root["components"] = components;
    jsonschema::options().with_draft(jsonschema::Draft::Draft202012).should_validate_formats(true).build(&root).unwrap()
}

fn errors(v: &jsonschema::Validator, value: &Value) -> Vec<String> {
    v.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// A request (method, path, token, body) and the status the server must answer it with.
type Call<'a> = (Method, &'a str, Option<&'a str>, Option<Vec<u8>>, StatusCode);

fn operation<'a>(doc: &'a Value, method: &Method, path: &str) -> &'a Value {
    let path = path.split('?').next().unwrap();
    let op = &doc["paths"][path][method.as_str().to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not in the document");
    op
}

#[tokio::test]
async fn the_document_lists_every_route_and_real_answers_fit_its_schemas() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (member_id, member) = app.member(&team, "Taras", Role::Member).await;
        let (status, doc) = app.call(Method::GET, "/v1/openapi.json", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));

        // Each event is judged alone: odd events are answered `rejected`, the batch is taken.
        let lenient = json!({ "events": [
            event_on_job("cover_letter", "~021998744339961847531", true),
            { "id": uuid::Uuid::new_v4().to_string(), "action": "check_fit", "occurred_at": "2026-11-06T10:00:00Z" },
            { "id": "not-a-uuid", "action": "answer" },
            { "id": uuid::Uuid::new_v4().to_string() },
            { "action": "answer", "regenerate": null, "job_id": null },
        ]});
        let topup = json!({ "id": uuid::Uuid::new_v4().to_string(), "credits": 100 });
        let body = |v: &Value| Some(serde_json::to_vec(v).unwrap());
        let calls: Vec<Call> = vec![
            (Method::GET, "/v1/me", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/me", None, None, StatusCode::UNAUTHORIZED),
            (Method::GET, "/v1/balance", Some(&member), None, StatusCode::OK),
            (Method::POST, "/v1/usage", Some(&member), body(&lenient), StatusCode::OK),
            (Method::POST, "/v1/usage", Some(&owner), body(&json!({ "events": [event("answer"), event("auto_bid")] })), StatusCode::OK),
            (Method::POST, "/v1/usage", Some(&owner), body(&json!({ "events": [] })), StatusCode::BAD_REQUEST),
            (Method::POST, "/v1/usage", Some(&owner), Some(vec![b' '; 1024 * 1024 + 1]), StatusCode::PAYLOAD_TOO_LARGE),
            (Method::GET, "/v1/usage?limit=2", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/usage?action=check_fit", Some(&owner), None, StatusCode::BAD_REQUEST),
            (Method::GET, "/v1/usage?from=2026-11-01T00:00:00Z&to=2100-01-01T00:00:00Z", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/usage.csv?from=soon", Some(&owner), None, StatusCode::BAD_REQUEST),
            (Method::GET, "/v1/members", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/audit?limit=1", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/audit", Some(&member), None, StatusCode::FORBIDDEN),
            (Method::POST, "/v1/topups", Some(&owner), body(&topup), StatusCode::OK),
            (Method::POST, "/v1/topups", Some(&owner), body(&json!({ "id": topup["id"], "credits": 5 })), StatusCode::CONFLICT),
            (Method::POST, "/v1/topups", Some(&owner), body(&json!({ "credits": 5 })), StatusCode::BAD_REQUEST),
            (Method::POST, "/v1/topups", Some(&member), body(&topup), StatusCode::FORBIDDEN),
            (Method::GET, "/v1/insights", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/v1/rules", Some(&owner), None, StatusCode::OK),
            (Method::GET, "/healthz", None, None, StatusCode::OK),
        ];
        let mut covered = std::collections::BTreeSet::new();
        for (method, path, token, sent, want) in calls {
            let op = operation(&doc, &method, path);
            if let Some(sent) = &sent
                && let Ok(value) = serde_json::from_slice::<Value>(sent)
            {
                let request = validator(&doc, &op["requestBody"]["content"]["application/json"]["schema"], false);
                let refused = want == StatusCode::BAD_REQUEST || want == StatusCode::PAYLOAD_TOO_LARGE;
                assert_eq!(request.is_valid(&value), !refused, "{method} {path}: the request schema and the server disagree on {value}");
            }
            let (status, answer) = app.call(method.clone(), path, token, sent).await;
            assert_eq!(status, want, "{method} {path}: {answer}");
            let schema = &op["responses"][status.as_str()]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "{method} {path}: the document declares no JSON answer for {status}");
            let problems = errors(&validator(&doc, schema, true), &answer);
            assert!(problems.is_empty(), "{method} {path} {status}: {problems:?}\n{answer}");
            covered.insert(format!("{method} {}", path.split('?').next().unwrap()));
        }
        // A templated path: the member's id goes into the URL.
        let budget_path = "/v1/members/{member_id}/budget";
        let op = operation(&doc, &Method::PUT, budget_path);
        let request = validator(&doc, &op["requestBody"]["content"]["application/json"]["schema"], false);
        for (token, sent, want) in [
            (&owner, json!({"credits": 20}), StatusCode::OK),
            (&owner, json!({"credits": null}), StatusCode::OK),
            (&member, json!({"credits": 1}), StatusCode::FORBIDDEN),
            (&owner, json!({"credits": -1}), StatusCode::BAD_REQUEST),
        ] {
            assert_eq!(request.is_valid(&sent), want != StatusCode::BAD_REQUEST, "{sent}");
            let path = budget_path.replace("{member_id}", &member_id);
            let (status, answer) = app.call(Method::PUT, &path, Some(token), Some(serde_json::to_vec(&sent).unwrap())).await;
            assert_eq!(status, want, "{answer}");
            let schema = &op["responses"][status.as_str()]["content"]["application/json"]["schema"];
            let problems = errors(&validator(&doc, schema, true), &answer);
            assert!(problems.is_empty(), "PUT {path} {status}: {problems:?}\n{answer}");
        }
        covered.insert(format!("PUT {budget_path}"));

        let answer = &app.post("/v1/usage", &member, &lenient).await.1;
        let statuses: Vec<&str> = answer["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["duplicate", "rejected", "rejected", "rejected", "rejected"]);

        // Every JSON operation was called; the other two answer what they declare.
        let mut listed = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                listed.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        covered.extend(["GET /v1/openapi.json".to_owned(), "GET /metrics".to_owned(), "GET /v1/usage.csv".to_owned()]);
        assert_eq!(listed, covered);
        let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
        assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
        assert!(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]["application/openmetrics-text"].is_object());
        let csv = app.http.get(app.url("/v1/usage.csv")).bearer_auth(&owner).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(doc["paths"]["/v1/usage.csv"]["get"]["responses"]["200"]["content"]["text/csv"].is_object());
    })
    .await;
}

#[tokio::test]
async fn the_error_codes_are_listed() {
    on_each_engine(async |app: &TestApp| {
        let (_, doc) = app.call(Method::GET, "/v1/openapi.json", None, None).await;
        let listed: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(listed, credits_core::ErrorCode::ALL.map(credits_core::ErrorCode::code));
        let v = validator(&doc, &doc["components"]["schemas"]["ErrorDetail"]["properties"]["code"], true);
        assert!(v.is_valid(&json!("unauthorized")) && v.is_valid(&json!("too_many_events")));
        assert!(!v.is_valid(&json!("no_such_code")));
    })
    .await;
}
