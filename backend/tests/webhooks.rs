//! Alerts: fired once per cycle by the charge that crossed the line, stored in its
//! transaction, delivered signed to a real receiver that refuses at first, across a kill -9.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use common::*;
use credits_backend::webhooks;
use credits_core::Plan;
use credits_core::api::Role;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};

/// A webhook receiver on loopback: answers 503 to the first `refuse` requests, then 200,
/// and keeps every (signature header, raw body) it got.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(String, String)>>>,
}

async fn receiver(refuse: usize) -> Receiver {
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let sig = headers.get("upwex-signature").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                let mut seen = seen.lock().unwrap();
                seen.push((sig, body));
                if seen.len() <= refuse { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, got }
}

/// What a receiver does: recompute HMAC-SHA256 over `t.` + raw body and compare.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let Some((t, v1)) = header.split_once(',').and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?))) else { return false };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    want == v1
}

async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    for _ in 0..secs * 10 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn kinds(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| l.split('\t').nth(1).unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_line_fires_once_per_cycle_in_the_charge_that_crossed_it() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await; // 100 credits; low at 10 left
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (ana_id, ana) = app.member(&team, "Ana", Role::Member).await;
        let hook = receiver(0).await;
        let secret = webhooks::set(&app.store, &team, &hook.url, credits_backend::ops::now()).await.unwrap();
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
        let list = async || webhooks::list(&app.store, &team).await.unwrap();

        app.usage(&owner, (0..89).map(|_| event("answer")).collect()).await;
        assert!(list().await.is_empty(), "11 of 100 left: nothing crossed");
        app.usage(&owner, vec![event("answer")]).await;
        assert_eq!(kinds(&list().await), ["credits.low"]);
        app.usage(&owner, vec![event("answer")]).await;
        assert_eq!(list().await.len(), 1, "still low: not again");

        app.top_up(&team, 5).await;
        app.usage(&owner, (0..9).map(|_| event("answer")).collect()).await;
        assert_eq!(list().await.len(), 1, "the monthly pool is empty but Extra has not paid yet");
        app.usage(&owner, vec![event("answer")]).await;
        assert_eq!(kinds(&list().await), ["credits.low", "credits.monthly_exhausted"]);
        app.usage(&owner, (0..4).map(|_| event("answer")).collect()).await;
        assert_eq!(kinds(&list().await), ["credits.low", "credits.monthly_exhausted", "credits.depleted"]);
        // Refused requests cross nothing.
        app.usage(&owner, (0..3).map(|_| event("answer")).collect()).await;
        assert_eq!(list().await.len(), 3);

        // A top-up lifts the balance; spending it down again fires nothing more this cycle.
        app.top_up(&team, 3).await;
        let (_, b) = app.call(Method::PUT, &format!("/v1/members/{ana_id}/budget"), Some(&owner), Some(br#"{"credits": 2}"#.to_vec())).await;
        assert_eq!(b["budget"], 2);
        app.usage(&ana, vec![event("answer")]).await;
        assert_eq!(list().await.len(), 3);
        let answer = app.usage(&ana, vec![event("answer"), event("answer")]).await;
        assert_eq!(statuses(&answer), ["applied", "rejected:member_budget_exhausted"]);
        let lines = list().await;
        assert_eq!(kinds(&lines), ["credits.low", "credits.monthly_exhausted", "credits.depleted", "member.budget_exhausted"]);
        assert!(lines.iter().all(|l| l.ends_with("\t0\tpending")), "{lines:?}");
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM alerts_fired").await, 4);

        // The stored body is what will be sent.
        let body: String = match &app.store {
            credits_backend::Store::Sqlite { read, .. } => {
                sqlx::query_scalar("SELECT body FROM deliveries WHERE kind = 'member.budget_exhausted'").fetch_one(read).await.unwrap()
            }
            credits_backend::Store::Postgres(pool) => {
                sqlx::query_scalar("SELECT body FROM deliveries WHERE kind = 'member.budget_exhausted'").fetch_one(pool).await.unwrap()
            }
        };
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["type"], "member.budget_exhausted");
        assert_eq!(body["team_id"], team);
        assert_eq!(body["data"]["member"], json!({"member_id": ana_id, "name": "Ana", "used": 2, "budget": 2, "left": 0}));
        assert_eq!(body["data"]["balance"]["spendable"], 1);
        assert!(hook.got.lock().unwrap().is_empty(), "nothing sends without the delivery loop");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_receiver_gets_the_same_signed_delivery_until_it_accepts() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let hook = receiver(2).await;
        let secret = webhooks::set(&app.store, &team, &hook.url, credits_backend::ops::now()).await.unwrap();
        app.usage(&owner, (0..90).map(|_| event("answer")).collect()).await;
        let sender = tokio::spawn(webhooks::run(app.store.clone()));
        wait_for("three attempts", 40, || hook.got.lock().unwrap().len() >= 3).await;
        for _ in 0..100 {
            if webhooks::list(&app.store, &team).await.unwrap().iter().all(|l| l.ends_with("\tdelivered")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        sender.abort();
        let got = hook.got.lock().unwrap().clone();
        assert_eq!(got.len(), 3, "delivered once accepted: {got:?}");
        assert!(got.iter().all(|(_, body)| *body == got[0].1), "the same body every time");
        for (sig, body) in &got {
            assert!(verify(&secret, sig, body), "{sig}");
            assert!(!verify("whsec_wrong", sig, body));
        }
        let event: Value = serde_json::from_str(&got[0].1).unwrap();
        assert_eq!((event["type"].as_str(), event["team_id"].as_str()), (Some("credits.low"), Some(team.as_str())));
        assert_eq!(event["data"]["balance"]["spendable"], 10);
        let lines = webhooks::list(&app.store, &team).await.unwrap();
        assert_eq!(lines, [format!("{}\tcredits.low\t3\tdelivered", event["id"].as_str().unwrap())]);
    })
    .await;
}

fn serve(db: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_credits-backend"))
        .args(["--database", db, "serve", "--listen", "127.0.0.1:0"])
        .env_remove("CREDITS_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A delivery stored while no sender runs is sent by the next `serve`; one whose sender is
/// killed -9 after a refused attempt is sent again, with the same id, after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_a_kill_9_of_the_server() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let hook = receiver(1).await;
        let secret = webhooks::set(&app.store, &team, &hook.url, credits_backend::ops::now()).await.unwrap();
        app.usage(&owner, (0..90).map(|_| event("answer")).collect()).await;

        let mut first = serve(&app.db.url);
        wait_for("the first attempt", 30, || !hook.got.lock().unwrap().is_empty()).await;
        first.kill().unwrap(); // SIGKILL
        first.wait().unwrap();
        assert_eq!(hook.got.lock().unwrap().len(), 1);

        let mut second = serve(&app.db.url);
        wait_for("the retry after the restart", 30, || hook.got.lock().unwrap().len() >= 2).await;
        for _ in 0..100 {
            if webhooks::list(&app.store, &team).await.unwrap()[0].ends_with("\tdelivered") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        second.kill().unwrap();
        second.wait().unwrap();
        let got = hook.got.lock().unwrap().clone();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, got[1].1, "the same id and body");
        assert!(got.iter().all(|(sig, body)| verify(&secret, sig, body)));
        let lines = webhooks::list(&app.store, &team).await.unwrap();
        // 2 attempts, or 1 when the kill came between the refused answer and its record:
        // at least once, never lost.
        let fields: Vec<&str> = lines[0].split('\t').collect();
        assert!(fields[1] == "credits.low" && ["1", "2"].contains(&fields[2]) && fields[3] == "delivered", "{lines:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_commands() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
                .env_remove("CREDITS_DATABASE_URL")
                .args(["--database", &app.db.url, "webhook"])
                .args(args)
                .output()
                .unwrap();
            (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (ok, out, err) = run(&["set", "--team", &team, "--url", "http://hooks.example.com/x"]);
        assert!(!ok && out.is_empty() && err.contains("invalid_webhook_url"), "{err}");
        let (ok, _, err) = run(&["set", "--team", "no-such-team", "--url", "https://hooks.example.com/x"]);
        assert!(!ok && err.contains("team_not_found"), "{err}");
        let (ok, secret, err) = run(&["set", "--team", &team, "--url", "http://127.0.0.1:9/hook"]);
        assert!(ok, "{err}");
        assert!(secret.trim().starts_with("whsec_") && secret.lines().count() == 1, "{secret}");
        assert_eq!(run(&["deliveries", "--team", &team]).1, "");
        app.usage(&owner, (0..90).map(|_| event("answer")).collect()).await;
        let (ok, lines, _) = run(&["deliveries", "--team", &team]);
        assert!(ok);
        let fields: Vec<&str> = lines.trim().split('\t').collect();
        assert_eq!((fields.len(), fields[1], fields[2], fields[3]), (4, "credits.low", "0", "pending"), "{lines}");
        assert!(uuid::Uuid::try_parse(fields[0]).is_ok());
        let (ok, out, _) = run(&["clear", "--team", &team]);
        assert!(ok && out.is_empty());
        // Cleared: the next line crossed is remembered, but nothing is queued to send.
        app.top_up(&team, 1).await;
        app.usage(&owner, (0..11).map(|_| event("answer")).collect()).await;
        assert_eq!(run(&["deliveries", "--team", &team]).1.lines().count(), 1);
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM alerts_fired").await, 3);
    })
    .await;
}
