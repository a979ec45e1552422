//! Defects an adversarial run found, each pinned: ids echoed as sent, every error in the
//! API's JSON shape (also hyper's own), a quick 503 with the database down, revocation
//! that holds, two `Authorization` headers, a POST body not declared as JSON.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use credits_backend::{Server, Store};
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn event_ids_are_answered_exactly_as_sent_and_count_once() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let id = uuid::Uuid::new_v4();
        let upper = id.to_string().to_uppercase();
        let mut e = event("answer");
        e["id"] = json!(upper);
        let answer = app.usage(&token, vec![e.clone()]).await;
        assert_eq!(answer["results"][0]["id"], json!(upper));
        assert_eq!(statuses(&answer), ["applied"]);
        // The lower-case spelling is the same event: a duplicate, echoed as sent.
        e["id"] = json!(id.to_string());
        let again = app.usage(&token, vec![e.clone()]).await;
        assert_eq!((again["results"][0]["id"].as_str(), statuses(&again)), (Some(id.to_string().as_str()), vec!["duplicate".to_owned()]));
        e["id"] = json!(format!("{{{upper}}}"));
        let braced = app.usage(&token, vec![e]).await;
        assert_eq!(braced["results"][0]["id"], json!(format!("{{{upper}}}")));
        assert_eq!(braced["balance"]["used"], 1);
        assert_eq!(app.all_rows(&token).await.len(), 1);
    })
    .await;
}

/// Sends raw bytes and reads the whole answer (the server closes after these errors).
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String, Value) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    // The server may answer before it has read everything and close; a failed write is fine.
    let _ = s.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await.expect("the server answers and closes");
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no response head in {text:?}"));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{status}: body {body:?} is not JSON: {e}"));
    (status, head.to_ascii_lowercase(), body)
}

#[tokio::test]
async fn hypers_own_errors_have_the_json_shape() {
    let app = TestApp::start(Engine::Sqlite).await;
    let addr = app.server.addr;
    let long_url = format!("GET /v1/me?x={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let many_headers = format!("GET /v1/me HTTP/1.1\r\nHost: x\r\n{}\r\n", (0..150).map(|i| format!("x-h{i}: v\r\n")).collect::<String>());
    let cases: [(&[u8], u16, &str); 4] = [
        (long_url.as_bytes(), 414, "uri_too_long"),
        (many_headers.as_bytes(), 431, "headers_too_large"),
        (b"GET /v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "malformed_request"),
        (b"\x01\x02\x03 nonsense\r\n\r\n", 400, "malformed_request"),
    ];
    for (request, status, code) in cases {
        let (got, head, body) = raw(addr, request).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(head.contains("content-type: application/json"), "{head}");
    }
    // A well-formed request on a raw connection is untouched.
    let (status, _, body) = raw(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    app.finish().await;
}

#[tokio::test]
async fn two_authorization_headers_are_refused_and_a_post_must_be_json() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (_, other) = app.member(&team, "Taras", Role::Member).await;
        let res = app
            .http
            .get(app.url("/v1/me"))
            .header("authorization", format!("Bearer {owner}"))
            .header("authorization", format!("Bearer {other}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "ambiguous_authorization");

        let body = serde_json::to_vec(&json!({ "events": [event("answer")] })).unwrap();
        for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
            let mut req = app.http.post(app.url("/v1/usage")).bearer_auth(&owner).body(body.clone());
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
            assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "unsupported_media_type");
        }
        let res = app
            .http
            .post(app.url("/v1/usage"))
            .bearer_auth(&owner)
            .header("content-type", "application/json; charset=utf-8")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.balance(&owner).await["used"], 1, "only the declared batch counted");
    })
    .await;
}

fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_credits-backend")).env_remove("RUST_LOG").args(["--database", &db.url]).args(args).output().unwrap()
}

#[tokio::test]
async fn a_revoked_member_stays_revoked_until_restored() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 2).await;
        let (member, token) = app.member(&team, "Taras", Role::Member).await;
        assert!(cli(&app.db, &["member", "revoke", "--member", &member]).status.success());
        assert_eq!(app.get("/v1/me", &token).await.0, StatusCode::UNAUTHORIZED);
        let refused = cli(&app.db, &["member", "token", "--member", &member]);
        assert!(!refused.status.success());
        assert!(refused.stdout.is_empty(), "no token is printed");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("revoked") && stderr.contains("member restore"), "{stderr}");
        assert_eq!(scalar(&app.store, &format!("SELECT COUNT(*) FROM tokens WHERE member_id = '{member}'")).await, 0);

        let restored = cli(&app.db, &["member", "restore", "--member", &member]);
        assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
        assert_eq!(app.get("/v1/me", &token).await.0, StatusCode::UNAUTHORIZED, "old tokens stay gone");
        let issued = cli(&app.db, &["member", "token", "--member", &member]);
        assert!(issued.status.success());
        let fresh = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
        assert_eq!(app.get("/v1/me", &fresh).await.0, StatusCode::OK);
        let unknown = cli(&app.db, &["member", "restore", "--member", &uuid::Uuid::new_v4().to_string()]);
        assert!(!unknown.status.success());
    })
    .await;
}

/// A TCP forwarder in front of PostgreSQL that can be cut (the database "goes down") and
/// started again on the same port.
struct Cable {
    port: u16,
    target: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Cable {
    async fn new(target: String) -> Cable {
        let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let mut cable = Cable { port, target, task: None };
        cable.connect().await;
        cable
    }

    async fn connect(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                links.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        }));
    }

    /// Closes the listener and every forwarded connection (dropping the JoinSet aborts them).
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

#[tokio::test]
async fn with_the_database_down_requests_get_a_quick_503_with_retry_after() {
    let Some(admin) = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty()) else {
        eprintln!("note: {POSTGRES_ENV} is not set: the database-down test needs PostgreSQL");
        return;
    };
    let db = TestDb::new(Engine::Postgres).await;
    let host = admin.split_once("://").unwrap().1.split(['/', '?']).next().unwrap();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h).to_owned();
    let mut cable = Cable::new(host.clone()).await;
    let url = db.url.replacen(&host, &format!("127.0.0.1:{}", cable.port), 1);
    let store = Store::open(&url).await.unwrap();
    let server = Server::start(store.clone(), "127.0.0.1:0").await.unwrap();
    let team = credits_backend::ops::create_team(&store, "Team", Plan::Pro, 1, None, credits_backend::ops::now(), &Default::default()).await.unwrap();
    let (_, token) = credits_backend::ops::add_member(&store, &team, "Olena", Role::Owner, credits_backend::ops::now()).await.unwrap();
    let http = client();
    let balance = async || http.get(format!("{}/v1/balance", server.url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(balance().await.status(), StatusCode::OK);

    cable.cut().await;
    for _ in 0..3 {
        let started = Instant::now();
        let res = balance().await;
        let took = started.elapsed();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(took < Duration::from_millis(2500), "answered after {took:?}");
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=30).contains(&retry));
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "unavailable");
    }
    let started = Instant::now();
    let res = http.post(format!("{}/v1/usage", server.url())).bearer_auth(&token).json(&json!({ "events": [event("answer")] })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_millis(2500));

    // The database is back: so is the service, with nothing recorded by the failed batch.
    cable.connect().await;
    let res = balance().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["used"], 0);
    server.stop().await.unwrap();
    store.close().await;
    db.drop_db().await;
}
