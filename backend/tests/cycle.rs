//! A real cycle boundary a few seconds ahead: spend, stop the server, cross the boundary
//! while it is down, start it again, and find the monthly pool whole and Extra unchanged.

mod common;

use std::time::Duration;

use chrono::Months;
use common::*;
use credits_backend::{Server, Store, ops};
use credits_core::api::Role;
use credits_core::cycle::monthly_boundary;
use credits_core::{Plan, Timestamp};
use serde_json::Value;

/// An anchor in the past whose next monthly boundary is exactly `target` (k months back on
/// the same day of month; a few k fail near month ends, one always works).
fn anchor_with_boundary_at(target: Timestamp) -> Timestamp {
    (1..=48)
        .filter_map(|k| Some((k, target.checked_sub_months(Months::new(k))?)))
        .find(|&(k, anchor)| monthly_boundary(anchor, k) == target)
        .map(|(_, anchor)| anchor)
        .expect("an anchor for the boundary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_pool_refills_at_the_boundary_even_across_downtime() {
    for engine in engines() {
        eprintln!("--- {engine:?}");
        let app = TestApp::start(engine).await;
        let boundary = ops::now() + chrono::Duration::seconds(7);
        let team = app.team_anchored(Plan::Pro, 1, Some(anchor_with_boundary_at(boundary))).await;
        let (member_id, token) = app.member(&team, "Olena", Role::Owner).await;
        app.top_up(&team, 10).await;

        let answer = app.usage(&token, (0..253).map(|_| event("cover_letter")).collect()).await;
        assert!(statuses(&answer).iter().all(|s| s == "applied"));
        let before = app.balance(&token).await;
        assert!(ops::now() < boundary, "setup took longer than the margin before the boundary");
        assert_eq!((before["remaining"].as_u64(), before["extra"].as_u64(), before["used"].as_u64()), (Some(0), Some(7), Some(253)));
        let resets_at: Timestamp = serde_json::from_value(before["resets_at"].clone()).unwrap();
        assert_eq!(resets_at, boundary);

        // Down across the boundary: no cron, the refill happens at the next request.
        let TestApp { db, store, server, http, .. } = app;
        server.stop().await.unwrap();
        store.close().await;
        let wait = (boundary - ops::now()).to_std().unwrap_or_default() + Duration::from_millis(300);
        tokio::time::sleep(wait).await;
        let store = Store::open(&db.url).await.unwrap();
        let server = Server::start(store.clone(), "127.0.0.1:0").await.unwrap();
        let app = TestApp::from_parts(db, store, server, http);

        let after = app.balance(&token).await;
        assert_eq!((after["total"].as_u64(), after["remaining"].as_u64(), after["used"].as_u64()), (Some(250), Some(250), Some(0)), "{after}");
        assert_eq!(after["extra"], 7, "Extra is unchanged by the refill");
        assert_eq!(after["cycle_start"], before["resets_at"]);
        let next: Timestamp = serde_json::from_value(after["resets_at"].clone()).unwrap();
        assert_eq!(next, monthly_boundary(boundary, 1));

        let answer = app.usage(&token, vec![event("answer")]).await;
        assert_eq!(statuses(&answer), ["applied"]);
        assert_eq!((answer["balance"]["remaining"].as_u64(), answer["balance"]["extra"].as_u64()), (Some(249), Some(7)));
        let rows = app.all_rows(&token).await;
        assert_eq!(rows[0]["bucket"], "monthly");
        assert_eq!(rows.len(), 254, "last cycle's rows stay in the history");
        let members: Value = app.get("/v1/members", &token).await.1;
        assert_eq!(members[0]["member_id"], member_id);
        assert_eq!(members[0]["used"], 1, "the member's count is this cycle's");
        let insights = app.get("/v1/insights", &token).await.1;
        assert_eq!(insights["by_action"].as_array().unwrap().len(), 1);
        assert_eq!(insights["by_action"][0]["action"], "answer");
        app.finish().await;
    }
}
