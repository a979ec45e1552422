//! The Usage History's order is the time it shows: newest first by `(occurred_at, id)`,
//! whatever order the rows were recorded in, and its cursor pages exactly on that key (no
//! row skipped or repeated, also across equal `occurred_at`), in the JSON pages, the CSV
//! export and the `since` reads (this cycle's rows).

mod common;

use common::*;
use credits_backend::db::queries::{self, UsageFilter};
use credits_core::api::Role;
use credits_core::{Plan, Timestamp};
use serde_json::{Value, json};

fn t0() -> Timestamp {
    "2026-11-24T09:00:00Z".parse().unwrap()
}

/// `n` events that occurred `minutes` after 09:00 (the same instant: ties).
fn events(n: usize, minutes: i64) -> Vec<Value> {
    let at = (t0() + chrono::Duration::minutes(minutes)).to_rfc3339();
    (0..n).map(|_| json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "answer", "occurred_at": at })).collect()
}

fn key(r: &Value) -> (Timestamp, String) {
    (r["occurred_at"].as_str().unwrap().parse().unwrap(), r["id"].as_str().unwrap().to_owned())
}

/// Every row of `query`, following `next_before` with pages of `limit`.
async fn walk(app: &TestApp, token: &str, query: &str, limit: u32) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut path = format!("/v1/usage?limit={limit}{query}");
    loop {
        let (status, page) = app.get(&path, token).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{page}");
        let got = page["rows"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        rows.extend(got.iter().cloned());
        match page["next_before"].as_str() {
            Some(c) => path = format!("/v1/usage?limit={limit}{query}&before={c}"),
            None => return rows,
        }
    }
}

/// Newest first by (occurred_at, id), each row once.
fn assert_history_order(rows: &[Value]) {
    let keys: Vec<_> = rows.iter().map(key).collect();
    assert!(keys.windows(2).all(|w| w[0] > w[1]), "not strictly newest first: {keys:?}");
}

#[tokio::test]
async fn history_pages_by_the_time_it_shows() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 2).await;
        let (olena_id, olena) = app.member(&team, "Olena", Role::Owner).await;
        let (_, taras) = app.member(&team, "Taras", Role::Member).await;
        // Recorded in this order; occurred in another: 09:30, then 09:10 and 09:30 again
        // (ties across batches), then 09:20 (a late sync of older clicks).
        let batches = [(&olena, events(6, 30)), (&taras, [events(3, 10), events(5, 30)].concat()), (&olena, events(4, 20))];
        let mut recorded = Vec::new();
        for (token, batch) in batches {
            assert!(statuses(&app.usage(token, batch).await).iter().all(|s| s == "applied"));
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            recorded.push(app.get("/v1/usage?limit=200", &olena).await.1["rows"].as_array().unwrap().len());
        }
        assert_eq!(recorded, [6, 14, 18]);

        let all = walk(app, &olena, "", 200).await;
        assert_eq!(all.len(), 18);
        assert_history_order(&all);
        let minutes: Vec<i64> = all.iter().map(|r| (key(r).0 - t0()).num_minutes()).collect();
        assert_eq!(minutes, [[30; 11].as_slice(), &[20; 4], &[10; 3]].concat(), "the 09:20 rows recorded last come before 09:10");
        assert!(
            all.iter().map(|r| r["recorded_at"].as_str().unwrap().parse::<Timestamp>().unwrap()).collect::<Vec<_>>().windows(2).any(|w| w[0] < w[1]),
            "recorded order differs"
        );

        // Small pages cut through ties: the same rows, once each, in the same order.
        for limit in [1, 2, 3, 5, 7] {
            assert_eq!(walk(app, &taras, "", limit).await, all, "limit {limit}");
        }
        let olenas: Vec<Value> = all.iter().filter(|r| r["member_id"] == olena_id.as_str()).cloned().collect();
        assert_eq!(walk(app, &olena, &format!("&member={olena_id}"), 4).await, olenas);

        // The export: the same order.
        let csv = app.http.get(app.url("/v1/usage.csv")).bearer_auth(&olena).send().await.unwrap().text().await.unwrap();
        let ids: Vec<&str> = csv.split_terminator("\r\n").skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
        assert_eq!(ids, all.iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>());

        // `since` still selects by the recording time (the last two batches), ordered
        // and paged like the history.
        let first_batch_at = all.iter().map(|r| r["recorded_at"].as_str().unwrap().parse::<Timestamp>().unwrap()).min().unwrap();
        let since = first_batch_at + chrono::Duration::milliseconds(1);
        let mut filter = UsageFilter { since: Some(since), ..UsageFilter::default() };
        let mut got = Vec::new();
        loop {
            let mut read = app.store.read().await.unwrap();
            let page = queries::usage_rows(read.conn(), &team, &filter, 3).await.unwrap();
            filter.before = page.last().map(|r| (r.occurred_at, r.id.clone()));
            let done = page.len() < 3;
            got.extend(page);
            if done {
                break;
            }
        }
        let expected: Vec<Value> =
            all.iter().filter(|r| r["recorded_at"].as_str().unwrap().parse::<Timestamp>().unwrap() >= since).cloned().collect();
        assert_eq!(expected.len(), 12);
        assert_eq!(got.iter().map(|r| serde_json::to_value(r).unwrap()).collect::<Vec<_>>(), expected);
    })
    .await;
}
