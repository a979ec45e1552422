//! `credits-backend backup`: a copy taken while clients stream usage is a consistent
//! ledger (each team's `used` equals its usage rows), holds every event answered before
//! it started exactly once, and serves again when restored.

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use credits_backend::{Server, Store};
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn backup(database: &str, to: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_credits-backend"))
        .env_remove("RUST_LOG")
        .args(["--database", database, "backup", "--to"])
        .arg(to)
        .output()
        .unwrap()
}

/// Streams batches until `stop`; returns each applied id with the moment its answer came.
async fn stream(url: String, token: String, stop: Arc<AtomicBool>) -> Vec<(String, Instant)> {
    let http = client();
    let mut answered = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let events: Vec<Value> = (0..20).map(|_| event("answer")).collect();
        let res = http.post(&url).bearer_auth(&token).json(&json!({ "events": events })).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let answer: Value = res.json().await.unwrap();
        let at = Instant::now();
        for r in answer["results"].as_array().unwrap() {
            assert_eq!(r["status"], "applied");
            answered.push((r["id"].as_str().unwrap().to_owned(), at));
        }
    }
    answered
}

async fn ids(store: &Store) -> HashSet<String> {
    let Store::Sqlite { read, .. } = store else { unreachable!() };
    sqlx::query_scalar::<_, String>("SELECT id FROM events").fetch_all(read).await.unwrap().into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_ingest_is_consistent_and_restores() {
    let app = TestApp::start(Engine::Sqlite).await;
    let mut teams = Vec::new();
    for n in 0..3 {
        let team = app.team(Plan::Max, 1).await;
        app.top_up(&team, 1_000_000).await;
        let (_, token) = app.member(&team, &format!("Member {n}"), Role::Owner).await;
        teams.push((team, token));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let streams: Vec<_> = teams.iter().map(|(_, t)| tokio::spawn(stream(app.url("/v1/usage"), t.clone(), stop.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let file = app.db.dir().join("backups").join("copy.db");
    let started = Instant::now();
    let (url, to) = (app.db.url.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || backup(&url, &to)).await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), file.display().to_string());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answered = Vec::new();
    for s in streams {
        answered.extend(s.await.unwrap());
    }

    // Restore: open the copy as a database of its own.
    let restored = Store::open(&format!("sqlite://{}", file.display())).await.unwrap();
    let copied = ids(&restored).await;
    let live = ids(&app.store).await;
    let before: Vec<&String> = answered.iter().filter(|(_, at)| *at < started).map(|(id, _)| id).collect();
    assert!(!before.is_empty(), "ingest ran before the backup");
    assert!(before.iter().all(|id| copied.contains(*id)), "every event answered before the backup is in it");
    assert!(copied.is_subset(&live), "the copy holds nothing the service did not record");
    assert!(copied.len() < live.len(), "ingest went on during and after the backup ({} of {})", copied.len(), live.len());
    assert_eq!(scalar(&restored, "SELECT COUNT(*) FROM events").await as usize, copied.len(), "each event once");
    for (team, _) in &teams {
        let used = scalar(&restored, &format!("SELECT used FROM ledgers WHERE team_id = '{team}'")).await;
        let rows = scalar(
            &restored,
            &format!("SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM events WHERE team_id = '{team}' AND status = 'applied' AND refunded = 0"),
        )
        .await;
        assert_eq!(used, rows, "team {team}: used equals the usage rows");
    }

    // The restored database serves: its balance is the copy's.
    let server = Server::start(restored.clone(), "127.0.0.1:0").await.unwrap();
    let (team, token) = &teams[0];
    let balance: Value = client().get(format!("{}/v1/balance", server.url())).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    let used = scalar(&restored, &format!("SELECT used FROM ledgers WHERE team_id = '{team}'")).await;
    assert_eq!(balance["used"].as_i64(), Some(used));
    server.stop().await.unwrap();
    restored.close().await;

    // Never over an existing file.
    let again = backup(&app.db.url, &file);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already exists"));
    app.finish().await;
}

#[tokio::test]
async fn postgresql_is_pointed_to_pg_dump() {
    for engine in engines().into_iter().filter(|e| *e == Engine::Postgres) {
        let db = TestDb::new(engine).await;
        Store::open(&db.url).await.unwrap().close().await;
        let out = backup(&db.url, &db.dir().join("x.db"));
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        db.drop_db().await;
    }
}
