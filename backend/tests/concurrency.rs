//! Never negative, never twice, under concurrent requests from many seats.

mod common;

use std::sync::Arc;

use common::*;
use credits_core::Plan;
use credits_core::api::Role;
use serde_json::json;
use tokio::sync::Barrier;

/// 50 clients (each its own connection, each a different member) race for the last 20
/// credits: exactly 20 are applied, 30 rejected, and nothing is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_seats_race_for_the_last_twenty_credits() {
    on_each_deployment(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Owner", Role::Owner).await;
        app.usage(&owner, (0..80).map(|_| event("answer")).collect()).await;
        assert_eq!(app.balance(&owner).await["spendable"], 20);

        let mut tokens = Vec::new();
        for i in 0..50 {
            tokens.push(app.member(&team, &format!("Seat {i}"), Role::Member).await.1);
        }
        let barrier = Arc::new(Barrier::new(tokens.len()));
        let url = app.url("/v1/usage");
        let tasks: Vec<_> = tokens
            .into_iter()
            .map(|token| {
                let (barrier, url) = (barrier.clone(), url.clone());
                tokio::spawn(async move {
                    let http = client(); // a connection of its own
                    let body = json!({ "events": [event("cover_letter")] });
                    barrier.wait().await;
                    let res = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    let answer: serde_json::Value = res.json().await.unwrap();
                    statuses(&answer).remove(0)
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        let applied = outcomes.iter().filter(|s| *s == "applied").count();
        let rejected = outcomes.iter().filter(|s| *s == "rejected:insufficient_credits").count();
        assert_eq!((applied, rejected), (20, 30), "{outcomes:?}");

        let b = app.balance(&owner).await;
        assert_eq!(
            (b["spendable"].as_u64(), b["remaining"].as_u64(), b["extra"].as_u64(), b["used"].as_u64()),
            (Some(0), Some(0), Some(0), Some(100))
        );
        assert_eq!(app.all_rows(&owner).await.len(), 100);
        let members = app.get("/v1/members", &owner).await.1;
        let total: u64 = members.as_array().unwrap().iter().map(|m| m["used"].as_u64().unwrap()).sum();
        assert_eq!(total, 100);
    })
    .await;
}

/// The same batch sent by 10 clients at once (a client retrying on every connection):
/// each event is charged once; every other answer is `duplicate`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_batch_replayed_concurrently_is_charged_once() {
    on_each_deployment(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 1).await;
        let (_, token) = app.member(&team, "Owner", Role::Owner).await;
        let body = json!({ "events": (0..20).map(|_| event("answer")).collect::<Vec<_>>() });
        let barrier = Arc::new(Barrier::new(10));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (barrier, url, token, body) = (barrier.clone(), app.url("/v1/usage"), token.clone(), body.clone());
                tokio::spawn(async move {
                    let http = client();
                    barrier.wait().await;
                    let answer: serde_json::Value = http.post(url).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
                    statuses(&answer)
                })
            })
            .collect();
        let mut applied = 0;
        for t in tasks {
            let s = t.await.unwrap();
            assert!(s.iter().all(|s| s == "applied" || s == "duplicate"), "{s:?}");
            applied += s.iter().filter(|s| *s == "applied").count();
        }
        assert_eq!(applied, 20);
        assert_eq!(app.balance(&token).await["used"], 20);
        assert_eq!(app.all_rows(&token).await.len(), 20);
    })
    .await;
}

/// Two teams race with the same event id: it is charged to exactly one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_id_raced_by_two_teams_is_charged_once() {
    on_each_deployment(async |app: &TestApp| {
        for _ in 0..5 {
            let a = app.team(Plan::Pro, 1).await;
            let (_, a_token) = app.member(&a, "A", Role::Owner).await;
            let b = app.team(Plan::Pro, 1).await;
            let (_, b_token) = app.member(&b, "B", Role::Owner).await;
            let shared = event("answer");
            let barrier = Arc::new(Barrier::new(2));
            let tasks: Vec<_> = [a_token.clone(), b_token.clone()]
                .into_iter()
                .map(|token| {
                    let (barrier, url) = (barrier.clone(), app.url("/v1/usage"));
                    let body = json!({ "events": [shared.clone(), event("answer")] });
                    tokio::spawn(async move {
                        let http = client();
                        barrier.wait().await;
                        let res = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                        assert_eq!(res.status(), 200);
                        statuses(&res.json().await.unwrap())
                    })
                })
                .collect();
            let mut firsts = Vec::new();
            for t in tasks {
                let s = t.await.unwrap();
                assert_eq!(s[1], "applied");
                firsts.push(s[0].clone());
            }
            firsts.sort();
            assert_eq!(firsts, ["applied", "rejected:invalid_event"]);
            let used = app.balance(&a_token).await["used"].as_u64().unwrap() + app.balance(&b_token).await["used"].as_u64().unwrap();
            assert_eq!(used, 3);
        }
    })
    .await;
}
