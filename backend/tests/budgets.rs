//! Member budgets inside the shared pool: the cap, the API, the CLI, and the race.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::Months;
use common::*;
use credits_backend::ops;
use credits_core::api::Role;
use credits_core::cycle::monthly_boundary;
use credits_core::{Plan, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Barrier;

async fn put_budget(app: &TestApp, token: &str, member: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, &format!("/v1/members/{member}/budget"), Some(token), Some(serde_json::to_vec(&body).unwrap())).await
}

fn entry_of<'a>(members: &'a Value, id: &str) -> &'a Value {
    members.as_array().unwrap().iter().find(|m| m["member_id"] == id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_caps_a_member_inside_a_full_pool() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 2).await;
        let (owner_id, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;

        // No budget: null, and the balance says so for the token's own member.
        let (_, members) = app.get("/v1/members", &owner).await;
        assert_eq!((&entry_of(&members, &ana_id)["budget"], &entry_of(&members, &ana_id)["left"]), (&Value::Null, &Value::Null));
        assert_eq!(app.balance(&ana).await["member"], json!({"used": 0, "budget": null, "left": null}));

        let (status, entry) = put_budget(app, &owner, &ana_id, json!({"credits": 3})).await;
        assert_eq!(status, StatusCode::OK, "{entry}");
        assert_eq!(entry, json!({"member_id": ana_id, "name": "Ana", "role": "member", "used": 0, "budget": 3, "left": 3, "last_active_at": null}));

        let answer = app.usage(&ana, (0..5).map(|_| event("answer")).collect()).await;
        assert_eq!(statuses(&answer), ["applied", "applied", "applied", "rejected:member_budget_exhausted", "rejected:member_budget_exhausted"]);
        assert_eq!(answer["balance"]["used"], 3, "nothing charged past the budget");
        let b = app.balance(&ana).await;
        assert_eq!((b["member"].clone(), b["remaining"].as_u64()), (json!({"used": 3, "budget": 3, "left": 0}), Some(497)));
        // The pool is shared: the owner (no budget) still spends.
        assert_eq!(statuses(&app.usage(&owner, vec![event("answer")]).await), ["applied"]);

        // A refund gives the credit back to the budget.
        let row = app.all_rows(&ana).await.into_iter().find(|r| r["member_id"] == ana_id).unwrap();
        ops::refund(&app.store, &team, row["id"].as_str().unwrap(), ops::now(), &app.cfg).await.unwrap();
        assert_eq!(app.balance(&ana).await["member"]["left"], 1);
        assert_eq!(statuses(&app.usage(&ana, vec![event("answer"), event("answer")]).await), ["applied", "rejected:member_budget_exhausted"]);

        // Below what was used: 0 left, never negative; null removes the cap.
        let (_, lowered) = put_budget(app, &owner, &ana_id, json!({"credits": 1})).await;
        assert_eq!((lowered["used"].as_u64(), lowered["budget"].as_u64(), lowered["left"].as_u64()), (Some(3), Some(1), Some(0)));
        let (_, members) = app.get("/v1/members", &ana).await;
        assert_eq!(entry_of(&members, &ana_id)["left"], 0);
        assert_eq!(entry_of(&members, &owner_id)["budget"], Value::Null);
        let (_, cleared) = put_budget(app, &owner, &ana_id, json!({"credits": null})).await;
        assert_eq!((&cleared["budget"], &cleared["left"]), (&Value::Null, &Value::Null));
        assert_eq!(statuses(&app.usage(&ana, vec![event("answer")]).await), ["applied"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_owner_sets_a_budget_and_only_in_its_team() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;
        let other = app.team(Plan::Pro, 1).await;
        let (stranger_id, _) = app.member(&other, "Sam", Role::Member).await;

        let (status, body) = put_budget(app, &ana, &ana_id, json!({"credits": 100})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (status, body) = put_budget(app, &owner, &stranger_id, json!({"credits": 1})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("member_not_found")));
        for bad in [json!({}), json!({"credits": -1}), json!({"credits": "5"}), json!({"credits": 1_000_000_001u64})] {
            let (status, body) = put_budget(app, &owner, &ana_id, bad.clone()).await;
            assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_credits")), "{bad}");
        }
        // Nothing of that changed anything.
        assert_eq!(app.balance(&ana).await["member"]["budget"], Value::Null);
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM members WHERE budget IS NOT NULL").await, 0);
    })
    .await;
}

/// 50 concurrent events from one member with 20 left in its budget (and plenty in the pool):
/// exactly 20 apply, on each engine.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_events_from_one_member_with_twenty_left_apply_twenty() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Max, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;
        put_budget(app, &owner, &ana_id, json!({"credits": 30})).await;
        app.usage(&ana, (0..10).map(|_| event("answer")).collect()).await;
        assert_eq!(app.balance(&ana).await["member"]["left"], 20);

        let barrier = Arc::new(Barrier::new(50));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (barrier, url, token) = (barrier.clone(), app.url("/v1/usage"), ana.clone());
                tokio::spawn(async move {
                    let http = client(); // a connection of its own
                    let body = json!({ "events": [event("cover_letter")] });
                    barrier.wait().await;
                    let res = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    statuses(&res.json().await.unwrap()).remove(0)
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        let applied = outcomes.iter().filter(|s| *s == "applied").count();
        let over = outcomes.iter().filter(|s| *s == "rejected:member_budget_exhausted").count();
        assert_eq!((applied, over), (20, 30), "{outcomes:?}");
        let b = app.balance(&ana).await;
        assert_eq!((b["member"].clone(), b["used"].as_u64()), (json!({"used": 30, "budget": 30, "left": 0}), Some(30)));
        assert_eq!(app.all_rows(&ana).await.len(), 30);
    })
    .await;
}

/// An anchor in the past whose next monthly boundary is exactly `target`.
fn anchor_with_boundary_at(target: Timestamp) -> Timestamp {
    (1..=48)
        .filter_map(|k| Some((k, target.checked_sub_months(Months::new(k))?)))
        .find(|&(k, anchor)| monthly_boundary(anchor, k) == target)
        .map(|(_, anchor)| anchor)
        .expect("an anchor for the boundary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_starts_over_with_the_cycle() {
    on_each_engine(async |app: &TestApp| {
        let boundary = ops::now() + chrono::Duration::seconds(4);
        let team = app.team_anchored(Plan::Pro, 1, Some(anchor_with_boundary_at(boundary))).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;
        put_budget(app, &owner, &ana_id, json!({"credits": 2})).await;
        assert_eq!(statuses(&app.usage(&ana, (0..3).map(|_| event("answer")).collect()).await)[2], "rejected:member_budget_exhausted");
        assert!(ops::now() < boundary, "setup took longer than the margin before the boundary");
        tokio::time::sleep((boundary - ops::now()).to_std().unwrap() + Duration::from_millis(200)).await;
        assert_eq!(app.balance(&ana).await["member"], json!({"used": 0, "budget": 2, "left": 2}));
        assert_eq!(statuses(&app.usage(&ana, vec![event("answer")]).await), ["applied"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sets_and_clears_a_budget() {
    for engine in engines() {
        let app = TestApp::start(engine).await;
        let team = app.team(Plan::Pro, 1).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;
        app.usage(&ana, (0..4).map(|_| event("answer")).collect()).await;
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
                .env_remove("CREDITS_DATABASE_URL")
                .args(["--database", &app.db.url, "member", "budget", "--member", &ana_id])
                .args(args)
                .output()
                .unwrap();
            (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (ok, out, err) = run(&["--credits", "3"]);
        assert!(ok, "{err}");
        assert_eq!(out.lines().count(), 1);
        let mut entry: Value = serde_json::from_str(&out).unwrap();
        assert!(entry["last_active_at"].take().is_string(), "Ana has used credits: {entry}");
        assert_eq!(entry, json!({"member_id": ana_id, "name": "Ana", "role": "member", "used": 4, "budget": 3, "left": 0, "last_active_at": null}));
        assert_eq!(statuses(&app.usage(&ana, vec![event("answer")]).await), ["rejected:member_budget_exhausted"]);
        let (ok, out, _) = run(&["--clear"]);
        assert!(ok);
        let entry: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((&entry["budget"], &entry["left"]), (&Value::Null, &Value::Null));
        for bad in [&["--credits", "-2"][..], &["--credits", "3", "--clear"], &[]] {
            let (ok, out, _) = run(bad);
            assert!(!ok && out.is_empty(), "{bad:?}");
        }
        let (ok, _, err) = {
            let out = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
                .args(["--database", &app.db.url, "member", "budget", "--member", "nobody", "--credits", "1"])
                .output()
                .unwrap();
            (out.status.success(), (), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        assert!(!ok && err.contains("member_not_found"), "{err}");
        app.finish().await;
    }
}
