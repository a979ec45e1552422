//! Durability: `kill -9` of the real server binary while a client streams batches. After a
//! restart every answered event is there exactly once; replaying everything that was sent
//! answers `duplicate` or `applied`, never charges twice. Also: SIGTERM stops it gracefully.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use credits_backend::{Store, ops};
use credits_core::api::Role;
use credits_core::{CreditConfig, Plan};
use serde_json::{Value, json};

/// The real binary serving `url` on a free port; returns it and its base URL.
fn spawn_server(url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
        .args(["--database", url, "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the server exits before listening").unwrap();
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

fn batch(n: usize) -> Vec<Value> {
    (0..n).map(|_| event("answer")).collect()
}

async fn all_rows(http: &reqwest::Client, base: &str, token: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut path = format!("{base}/v1/usage?limit=200");
    loop {
        let page: Value = http.get(&path).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        match page["next_before"].as_str() {
            Some(c) => path = format!("{base}/v1/usage?limit=200&before={c}"),
            None => return rows,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_batches_survive_kill_9() {
    for engine in engines() {
        eprintln!("--- {engine:?}");
        let db = TestDb::new(engine).await;
        let store = Store::open(&db.url).await.unwrap();
        let cfg = CreditConfig::default();
        let team = ops::create_team(&store, "Crash", Plan::Max, 10, None, ops::now(), &cfg).await.unwrap();
        let (_, token) = ops::add_member(&store, &team, "Olena", Role::Owner, ops::now()).await.unwrap();
        store.close().await;

        let (mut server, base) = spawn_server(&db.url);
        let answered_count = Arc::new(AtomicUsize::new(0));
        const BATCHES: usize = 200; // 4,000 events: within the team's 5,000 credits
        let streamer = {
            let (base, token, answered_count) = (base.clone(), token.clone(), answered_count.clone());
            tokio::spawn(async move {
                let http = client();
                let mut answered: Vec<Vec<Value>> = Vec::new();
                for _ in 0..BATCHES {
                    let events = batch(20);
                    let sent = http.post(format!("{base}/v1/usage")).bearer_auth(&token).json(&json!({ "events": events })).send().await;
                    let answer = match sent {
                        Ok(res) if res.status() == 200 => res.json::<Value>().await.ok(),
                        _ => None,
                    };
                    match answer {
                        Some(_) => {
                            answered.push(events);
                            answered_count.fetch_add(20, Ordering::SeqCst);
                        }
                        // The server died under this batch: it may or may not have been applied.
                        _ => return (answered, Some(events)),
                    }
                }
                (answered, None)
            })
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while answered_count.load(Ordering::SeqCst) < 400 {
            assert!(Instant::now() < deadline, "the client made no progress");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        let (answered, in_flight) = streamer.await.unwrap();
        let in_flight = in_flight.expect("the server was killed while the client was still streaming");
        let answered_ids: Vec<String> = answered.iter().flatten().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
        eprintln!("answered {} events before kill -9", answered_ids.len());

        let (mut server, base) = spawn_server(&db.url);
        let http = client();
        let rows = all_rows(&http, &base, &token).await;
        let row_ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let unique: HashSet<&str> = row_ids.iter().copied().collect();
        assert_eq!(unique.len(), row_ids.len(), "a row twice");
        for id in &answered_ids {
            assert!(unique.contains(id.as_str()), "answered event {id} lost");
        }
        // Only the batch in flight may or may not have made it, whole (one transaction).
        let extra = row_ids.len() - answered_ids.len();
        assert!(extra == 0 || extra == in_flight.len(), "{extra} rows beyond the answered ones");
        let balance: Value = http.get(format!("{base}/v1/balance")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(balance["used"].as_u64().unwrap() as usize, row_ids.len());

        // The client's outbox replays everything it sent: nothing counts twice.
        for events in answered.iter().chain([&in_flight]) {
            let answer: Value = http
                .post(format!("{base}/v1/usage"))
                .bearer_auth(&token)
                .json(&json!({ "events": events }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let s = statuses(&answer);
            assert!(s.iter().all(|s| s == "duplicate" || s == "applied"), "{s:?}");
            if !std::ptr::eq(events, &in_flight) {
                assert!(s.iter().all(|s| s == "duplicate"), "{s:?}");
            }
        }
        let rows = all_rows(&http, &base, &token).await;
        assert_eq!(rows.len(), answered_ids.len() + in_flight.len());
        let balance: Value = http.get(format!("{base}/v1/balance")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(balance["used"].as_u64().unwrap() as usize, rows.len());

        // SIGTERM: a graceful stop, exit status 0.
        let pid = server.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = server.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(status.success(), "{status:?}");
        db.drop_db().await;
    }
}
