//! Limits per token and per team over real HTTP: beyond them 429 with `Retry-After`, in
//! the API's error shape, counted in /metrics, nothing recorded; other teams unaffected.

mod common;

use common::*;
use credits_backend::LimitsConfig;
use credits_backend::limits::Rate;
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One request a minute sustained: the bursts are all a test sees.
const TIGHT: LimitsConfig = LimitsConfig { token: Rate { per_minute: 1, burst: 5 }, team: Rate { per_minute: 1, burst: 8 } };

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.http.get(app.url("/v1/me")).bearer_auth(token).send().await.unwrap()
}

async fn expect_limited(res: reqwest::Response, scope: &str) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry after {retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"].as_str().unwrap().contains(scope), "{body}");
}

#[tokio::test]
async fn a_runaway_token_or_team_gets_429_and_other_teams_do_not_notice() {
    for engine in engines() {
        eprintln!("--- {engine:?}");
        let app = TestApp::start_with(engine, TIGHT).await;
        let team = app.team(Plan::Pro, 3).await;
        let (_, a1) = app.member(&team, "Olena", Role::Owner).await;
        let (_, a2) = app.member(&team, "Taras", Role::Member).await;
        let other = app.team(Plan::Pro, 1).await;
        let (_, b1) = app.member(&other, "Iryna", Role::Owner).await;

        for _ in 0..5 {
            assert_eq!(me(&app, &a1).await.status(), StatusCode::OK);
        }
        expect_limited(me(&app, &a1).await, "token").await;
        // The refused batch records nothing.
        let (status, _) = app.post("/v1/usage", &a1, &json!({ "events": [event("answer")] })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // The team had 8: a1 spent 5 (refused requests spend nothing of the team's).
        for _ in 0..3 {
            assert_eq!(me(&app, &a2).await.status(), StatusCode::OK);
        }
        expect_limited(me(&app, &a2).await, "team").await;
        for _ in 0..5 {
            assert_eq!(me(&app, &b1).await.status(), StatusCode::OK, "another team is not starved");
        }
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM events").await, 0);
        // Unknown tokens are limited per token too (before any database lookup).
        for _ in 0..5 {
            assert_eq!(me(&app, "upx_guess").await.status(), StatusCode::UNAUTHORIZED);
        }
        expect_limited(me(&app, "upx_guess").await, "token").await;

        let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("credits_rate_limited_total{scope=\"token\"} 3"), "{metrics}");
        assert!(metrics.contains("credits_rate_limited_total{scope=\"team\"} 1"), "{metrics}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_default_limits_let_a_busy_team_through() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Max, 5).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        // Far more than an extension ever sends in a burst.
        for _ in 0..200 {
            assert_eq!(me(app, &token).await.status(), StatusCode::OK);
        }
    })
    .await;
}

#[tokio::test]
async fn serve_takes_its_limits_from_flags_and_the_environment() {
    let db = TestDb::new(Engine::Sqlite).await;
    let store = credits_backend::Store::open(&db.url).await.unwrap();
    let now = credits_backend::ops::now();
    let team = credits_backend::ops::create_team(&store, "T", Plan::Pro, 1, None, now, &Default::default()).await.unwrap();
    let (_, token) = credits_backend::ops::add_member(&store, &team, "Olena", Role::Owner, now).await.unwrap();
    let server = ServerProcess::spawn(&db.url, &["--limit-token-per-minute", "1"], &[("CREDITS_LIMIT_TOKEN_BURST", "2")]);
    let http = client();
    let me = async || http.get(format!("{}/v1/me", server.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me().await.status(), StatusCode::OK);
    assert_eq!(me().await.status(), StatusCode::OK);
    expect_limited(me().await, "token").await;
    drop(server);
    store.close().await;
}
