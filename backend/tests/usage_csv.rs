//! `GET /v1/usage.csv` and the `from` / `to` filters of `GET /v1/usage`: the export holds
//! exactly the rows the history's filters select, in the history's order, across more
//! rows than one database read.

mod common;

use common::*;
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An event that occurred `minutes` after 2026-11-24T00:00Z.
fn at(action: &str, minutes: i64) -> Value {
    let t = "2026-11-24T00:00:00Z".parse::<credits_core::Timestamp>().unwrap() + chrono::Duration::minutes(minutes);
    json!({ "id": uuid::Uuid::new_v4().to_string(), "action": action, "regenerate": minutes % 7 == 0, "occurred_at": t.to_rfc3339() })
}

async fn csv(app: &TestApp, query: &str, token: &str) -> (StatusCode, String, String) {
    let res = app.http.get(app.url(&format!("/v1/usage.csv{query}"))).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    let kind = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, res.text().await.unwrap())
}

/// The ids (last column) of a CSV body, after checking its header.
fn ids(body: &str) -> Vec<String> {
    let mut lines = body.split_terminator("\r\n");
    assert_eq!(format!("{}\r\n", lines.next().unwrap()), credits_core::usage_csv::HEADER);
    lines.map(|l| l.rsplit(',').next().unwrap().to_owned()).collect()
}

fn row_ids(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_export_is_the_filtered_history() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 3).await;
        app.top_up(&team, 2000).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (taras, member) = app.member(&team, "Taras, \"T\"", Role::Member).await;
        // 1,100 rows: more than two of the export's database reads.
        for batch in 0..3 {
            let token = if batch == 1 { &member } else { &owner };
            let n = if batch == 2 { 100 } else { 500 };
            let events = (0..n).map(|i| at(if i % 3 == 0 { "answer" } else { "cover_letter" }, batch * 500 + i)).collect();
            assert!(statuses(&app.usage(token, events).await).iter().all(|s| s == "applied"));
        }
        let all = app.all_rows(&owner).await;
        assert_eq!(all.len(), 1100);
        let (status, kind, body) = csv(app, "", &member).await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("text/csv"), "{kind}");
        assert_eq!(ids(&body), row_ids(&all), "every row, in the history's order");
        assert!(body.contains(",\"Taras, \"\"T\"\"\","), "names are quoted");

        // Filters: the same rows as the JSON pages with the same filters.
        let from = "2026-11-24T05:00:00Z";
        let to = "2026-11-24T10:00:00Z";
        let query = format!("?action=answer&member={taras}&from={from}&to={to}");
        let (_, _, body) = csv(app, &query, &owner).await;
        let (status, page) = app.get(&format!("/v1/usage{query}&limit=200"), &owner).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["rows"].as_array().unwrap();
        // Minutes 500..999 are Taras's; 300..599 are in range: 500..599, every third an answer.
        assert_eq!(rows.len(), 34);
        assert!(rows.iter().all(|r| r["action"] == "answer" && r["member_id"] == taras.as_str()));
        assert!(rows.iter().all(|r| r["occurred_at"].as_str().unwrap() >= from && r["occurred_at"].as_str().unwrap() < to));
        assert_eq!(ids(&body), row_ids(rows));

        // Bad filters get the history's 400; no token, 401.
        for bad in ["?from=yesterday", "?to=2026-13-01", "?action=nope", "?member=bob"] {
            let (status, kind, body) = csv(app, bad, &owner).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(kind.starts_with("application/json") && body.contains("invalid_query"), "{bad}: {body}");
        }
        let (status, page) = app.get("/v1/usage?from=yesterday", &owner).await;
        assert_eq!((status, page["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
        let res = app.http.get(app.url("/v1/usage.csv")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}
