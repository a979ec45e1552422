//! Shared test harness: a fresh database per test (a SQLite file in a temp dir; a fresh
//! PostgreSQL database when `CREDITS_TEST_POSTGRES_URL` names a server), the real server on
//! a random loopback port, and an HTTP client.
#![allow(dead_code)]

use std::time::Duration;

use credits_backend::{LimitsConfig, Server, Store, ops};
use credits_core::api::{Balance, Role, TopupRequest};
use credits_core::{CreditConfig, Plan, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

pub const POSTGRES_ENV: &str = "CREDITS_TEST_POSTGRES_URL";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when the environment names a server (`cargo xtask test`
/// always does).
pub fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
        engines.push(Engine::Postgres);
    } else {
        eprintln!("note: {POSTGRES_ENV} is not set: SQLite only");
    }
    engines
}

/// A database of its own for one test.
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
    dir: tempfile::TempDir,
    pg_name: Option<String>,
}

fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(r, q)| (r, Some(q)));
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{host}/{name}{query}")
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        match engine {
            Engine::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("credits.db").display());
                TestDb { engine, url, dir, pg_name: None }
            }
            Engine::Postgres => {
                let admin = std::env::var(POSTGRES_ENV).unwrap();
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut c = sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL server");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
                TestDb { engine, url: with_database(&admin, &name), dir, pg_name: Some(name) }
            }
        }
    }

    /// A scratch directory that lives as long as the database.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub async fn drop_db(self) {
        if let Some(name) = &self.pg_name {
            let admin = std::env::var(POSTGRES_ENV).unwrap();
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut c).await;
            }
        }
    }
}

/// The server on a fresh database, and a client for it.
pub struct TestApp {
    pub db: TestDb,
    pub store: Store,
    pub server: Server,
    /// More servers on the same database, each a `credits-backend serve` process of its own.
    pub others: Vec<ServerProcess>,
    /// Which server [`TestApp::url`] names next: requests rotate across all of them.
    next: std::sync::atomic::AtomicUsize,
    pub http: reqwest::Client,
    pub cfg: CreditConfig,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap()
}

impl TestApp {
    pub async fn start(engine: Engine) -> TestApp {
        Self::start_with(engine, LimitsConfig::default()).await
    }

    pub async fn start_with(engine: Engine, limits: LimitsConfig) -> TestApp {
        let db = TestDb::new(engine).await;
        let store = Store::open(&db.url).await.unwrap();
        let server = Server::start_with(store.clone(), "127.0.0.1:0", limits).await.unwrap();
        TestApp { db, store, server, others: Vec::new(), next: Default::default(), http: client(), cfg: CreditConfig::default() }
    }

    /// A test app around a server that was started by hand (a restart).
    pub fn from_parts(db: TestDb, store: Store, server: Server, http: reqwest::Client) -> TestApp {
        TestApp { db, store, server, others: Vec::new(), next: Default::default(), http, cfg: CreditConfig::default() }
    }

    /// Two server processes on one database (this one and a spawned binary); each
    /// request goes to the next server in turn.
    pub async fn start_two(engine: Engine) -> TestApp {
        let mut app = Self::start(engine).await;
        app.others.push(ServerProcess::spawn(&app.db.url, &[], &[]));
        app
    }

    pub async fn finish(self) {
        drop(self.others);
        self.server.stop().await.unwrap();
        self.store.close().await;
        self.db.drop_db().await;
    }

    /// The URL of `path` on the next server in turn.
    pub fn url(&self, path: &str) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % (1 + self.others.len());
        let base = if n == 0 { self.server.url() } else { self.others[n - 1].base.clone() };
        format!("{base}{path}")
    }

    pub async fn team(&self, plan: Plan, seats: u32) -> String {
        self.team_anchored(plan, seats, None).await
    }

    pub async fn team_anchored(&self, plan: Plan, seats: u32, anchor: Option<Timestamp>) -> String {
        ops::create_team(&self.store, "Team", plan, seats, anchor, ops::now(), &self.cfg).await.unwrap()
    }

    /// A new member: (member id, token).
    pub async fn member(&self, team: &str, name: &str, role: Role) -> (String, String) {
        ops::add_member(&self.store, team, name, role, ops::now()).await.unwrap()
    }

    pub async fn top_up(&self, team: &str, credits: u64) -> Balance {
        let request = TopupRequest { id: uuid::Uuid::new_v4(), credits };
        ops::top_up(&self.store, team, None, &request, ops::now(), &self.cfg).await.unwrap()
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Vec<u8>>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(serde_json::to_vec(body).unwrap())).await
    }

    pub async fn balance(&self, token: &str) -> Value {
        let (status, b) = self.get("/v1/balance", token).await;
        assert_eq!(status, StatusCode::OK, "{b}");
        b
    }

    /// Posts events, expecting 200; returns the answer.
    pub async fn usage(&self, token: &str, events: Vec<Value>) -> Value {
        let (status, answer) = self.post("/v1/usage", token, &json!({ "events": events })).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// Every usage row of the token's team, newest first, following the cursor.
    pub async fn all_rows(&self, token: &str) -> Vec<Value> {
        let mut rows = Vec::new();
        let mut path = "/v1/usage?limit=200".to_owned();
        loop {
            let (status, page) = self.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            rows.extend(page["rows"].as_array().unwrap().iter().cloned());
            match page["next_before"].as_str() {
                Some(c) => path = format!("/v1/usage?limit=200&before={c}"),
                None => return rows,
            }
        }
    }
}

/// Runs `test` on a fresh app for each engine.
pub async fn on_each_engine(test: impl AsyncFn(&TestApp)) {
    for engine in engines() {
        eprintln!("--- {engine:?}");
        let app = TestApp::start(engine).await;
        test(&app).await;
        app.finish().await;
    }
}

/// Runs `test` on each engine, and on PostgreSQL also with two server processes sharing
/// the database (clients spread across both): the service keeps no state between requests.
pub async fn on_each_deployment(test: impl AsyncFn(&TestApp)) {
    on_each_engine(&test).await;
    if engines().contains(&Engine::Postgres) {
        eprintln!("--- Postgres, two servers");
        let app = TestApp::start_two(Engine::Postgres).await;
        test(&app).await;
        for base in [app.server.url(), app.others[0].base.clone()] {
            let metrics = app.http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
            assert!(metrics.contains("credits_http_requests_total{"), "{base} served none of the requests");
        }
        app.finish().await;
    }
}

/// A valid event.
pub fn event(action: &str) -> Value {
    json!({ "id": uuid::Uuid::new_v4().to_string(), "action": action, "regenerate": false, "occurred_at": ops::now().to_rfc3339() })
}

pub fn event_on_job(action: &str, job: &str, regenerate: bool) -> Value {
    json!({ "id": uuid::Uuid::new_v4().to_string(), "action": action, "regenerate": regenerate, "job_id": job, "occurred_at": ops::now().to_rfc3339() })
}

/// The statuses of an answer's results, in order.
pub fn statuses(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r["reason"].as_str() {
            Some(reason) => format!("{}:{reason}", r["status"].as_str().unwrap()),
            None => r["status"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// Runs raw SQL on the store (tests of the schema's own guarantees).
pub async fn exec(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store {
        Store::Sqlite { write, .. } => sqlx::query(sql).execute(write).await.map(|r| r.rows_affected()),
        Store::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|r| r.rows_affected()),
    }
}

/// One integer from raw SQL.
pub async fn scalar(store: &Store, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store {
        Store::Sqlite { read, .. } => sqlx::query_scalar(sql).fetch_one(read).await.unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// The real `credits-backend serve` binary on a free port, killed when dropped.
pub struct ServerProcess {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl ServerProcess {
    pub fn spawn(database: &str, args: &[&str], env: &[(&str, &str)]) -> ServerProcess {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_credits-backend"))
            .args(["--database", database, "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
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
        ServerProcess { child, base }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
