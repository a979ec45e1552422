//! The backend benchmark (`cargo xtask bench backend` runs it through `credits-bench`):
//! figures, not a test.
//!
//! Per engine, on a fresh database:
//! * ingest: `POST /v1/usage` with batches of 100 new events over real HTTP on loopback,
//!   with 1 connection, 8 connections for 8 members of one team, and 8 connections for 8
//!   different teams (the per-team lock serializes a team, not the service), for a fixed
//!   time; with `--second-server BIN` also the 8 teams' connections spread over this
//!   server and a `credits-backend serve` process on the same database;
//! * beside it, a raw insert loop into the same `events` table of the same database with
//!   the same durability settings, 100 rows per transaction: one multi-row INSERT per
//!   transaction (what the handler issues) and 100 single-row INSERTs per transaction;
//! * balance reads: `GET /v1/balance` sent open-loop at a fixed 1,000 requests per second,
//!   latency measured from each request's scheduled start (so a stalled client counts
//!   against us), idle and while one connection streams ingest batches; beside each, what
//!   such a read is made of: HTTP alone (`GET /healthz`) and the database alone (the
//!   read's queries, no HTTP), at the same rate.
//!
//! The server runs in this process on a runtime of its own (2 worker threads), the clients
//! on another: on a 2-core machine they share the CPU, as they would on one host.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use credits_core::api::{Role, TopupRequest};
use credits_core::{CreditConfig, Plan};
use serde_json::{Value, json};

use crate::db::queries::{self, NewEvent};
use crate::{Server, Store, ops};

const BATCH: usize = 100;
const READ_RATE: u64 = 1000;

/// What one engine measured.
#[derive(Clone, Debug)]
pub struct Figures {
    pub engine: String,
    pub ingest_1: f64,
    pub ingest_8: f64,
    pub ingest_8_teams: f64,
    /// The 8 teams over two server processes, when a second server was asked for.
    pub ingest_2_servers: Option<f64>,
    pub raw_multi: f64,
    pub raw_single: f64,
    pub read_idle: Latency,
    pub read_loaded: Latency,
    /// What a balance read is made of, idle and during ingest: HTTP alone (`GET /healthz`,
    /// no database) and the database alone (the read's queries, no HTTP).
    pub parts: Option<Parts>,
}

#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// The bench's own floor: the pacer and a task that does nothing.
    pub floor_idle: Latency,
    pub http_idle: Latency,
    pub http_loaded: Latency,
    pub database_idle: Latency,
    pub database_loaded: Latency,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub requests: usize,
    pub errors: usize,
    /// Requests per second actually sent.
    pub rate: f64,
}

fn new_event() -> Value {
    json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "job_matching", "occurred_at": ops::now().to_rfc3339() })
}

fn batch_body() -> Vec<u8> {
    serde_json::to_vec(&json!({ "events": (0..BATCH).map(|_| new_event()).collect::<Vec<_>>() })).expect("json")
}

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_max_idle_per_host(64).timeout(Duration::from_secs(30)).build()?)
}

/// Streams batches on one connection until `stop`; returns events applied.
async fn stream(http: reqwest::Client, url: String, token: String, stop: Arc<AtomicBool>) -> Result<u64> {
    let mut events = 0;
    while !stop.load(Ordering::Relaxed) {
        // The same batch again after a 503 or 429 (its ids make the retry safe), after the
        // server's Retry-After, as the extension's outbox does: an overloaded server sheds.
        let body = batch_body();
        let res = loop {
            let res = http.post(&url).bearer_auth(&token).header("content-type", "application/json").body(body.clone()).send().await?;
            if !matches!(res.status().as_u16(), 429 | 503) {
                break res;
            }
            let wait = res.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok()).unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait.min(5))).await;
        };
        ensure!(res.status() == 200, "ingest answered {}", res.status());
        let answer: Value = res.json().await?;
        let results = answer["results"].as_array().context("results")?;
        let applied = results.iter().filter(|r| r["status"] == "applied").count();
        // A retried batch the server had applied before it shed the answer is `duplicate`.
        let counted = applied + results.iter().filter(|r| r["status"] == "duplicate").count();
        ensure!(counted == BATCH, "only {counted} of {BATCH} counted: {}", answer["results"][0]);
        events += applied as u64;
    }
    Ok(events)
}

/// Events per second over `seconds` with `tokens.len()` connections.
async fn ingest(url: &str, tokens: &[String], seconds: f64) -> Result<f64> {
    ingest_spread(&[url.to_owned()], tokens, seconds).await
}

/// As [`ingest`], connection `i` going to server `i % urls.len()`.
async fn ingest_spread(urls: &[String], tokens: &[String], seconds: f64) -> Result<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        // A client each: one connection each.
        let url = &urls[i % urls.len()];
        tasks.push(tokio::spawn(stream(client()?, format!("{url}/v1/usage"), token.clone(), stop.clone())));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut events = 0;
    for t in tasks {
        events += t.await??;
    }
    Ok(events as f64 / started.elapsed().as_secs_f64())
}

/// Rows per second of a raw insert loop: 100 rows per transaction, committed.
async fn raw_insert(store: &Store, team: &str, member: &str, seconds: f64, one_statement: bool) -> Result<f64> {
    let started = Instant::now();
    let mut rows_done = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        let now = ops::now();
        let rows: Vec<NewEvent> = (0..BATCH)
            .map(|_| NewEvent {
                id: uuid::Uuid::new_v4().to_string(),
                team_id: team,
                member_id: member,
                reason: None,
                action: Some(credits_core::Action::JobMatching),
                regenerate: false,
                job_id: None,
                occurred_at: Some(now),
                recorded_at: now,
                bucket: Some(credits_core::api::Bucket::Monthly),
                credits: 1,
            })
            .collect();
        let mut tx = store.begin().await?;
        if one_statement {
            queries::insert_events(tx.conn(), &rows).await?;
        } else {
            for row in &rows {
                queries::insert_events(tx.conn(), std::slice::from_ref(row)).await?;
            }
        }
        tx.commit().await?;
        rows_done += BATCH as u64;
    }
    Ok(rows_done as f64 / started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// `GET /v1/balance` at a fixed rate for `seconds`, open loop (see [`paced`]).
async fn balance_reads(url: &str, token: &str, seconds: f64) -> Result<Latency> {
    http_reads(format!("{url}/v1/balance"), Some(token.to_owned()), seconds).await
}

/// `GET url` (with the token, if any) at 1,000 requests per second for `seconds`: each
/// request counts when it answers 200 with its whole body.
async fn http_reads(url: String, token: Option<String>, seconds: f64) -> Result<Latency> {
    let http = client()?;
    paced(seconds, move || {
        let mut request = http.get(&url);
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        async move {
            match request.send().await {
                Ok(res) if res.status() == 200 => res.bytes().await.is_ok(),
                _ => false,
            }
        }
    })
    .await
}

/// What `GET /v1/balance` asks of the database, without HTTP: the token's principal and
/// ledger, then the member's use this cycle and budget, on pooled read connections, at
/// 1,000 per second for `seconds`.
async fn database_reads(store: &Store, token: &str, seconds: f64) -> Result<Latency> {
    let (store, hash) = (store.clone(), crate::auth::token_hash(token));
    let cfg = CreditConfig::default();
    paced(seconds, move || {
        let (store, hash, cfg) = (store.clone(), hash.clone(), cfg.clone());
        async move {
            let read = async {
                let mut read = store.read().await?;
                let (who, ledger, counter) = queries::principal_by_token_hash(read.conn(), &hash).await?.context("the token")?;
                drop(read);
                crate::budgets::spend(&store, &who.member_id, &counter, ledger.balance(ops::now(), &cfg).cycle_start).await?;
                anyhow::Ok(())
            };
            read.await.is_ok()
        }
    })
    .await
}

/// Runs `request()` at a fixed 1,000 per second for `seconds`, open loop: a thread of its
/// own paces them (tokio's timer ticks in whole milliseconds, too coarse for 1 ms periods),
/// each runs as a task of the calling runtime, and each latency runs from the request's
/// scheduled start (so a stalled client counts against us). `request` resolves to whether
/// it succeeded.
async fn paced<F, Fut>(seconds: f64, request: F) -> Result<Latency>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let total = (READ_RATE as f64 * seconds) as u32;
    let period = Duration::from_secs(1) / READ_RATE as u32;
    let errors = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Duration>();
    let runtime = tokio::runtime::Handle::current();
    let pacer = {
        let errors = errors.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            for i in 0..total {
                let scheduled = started + period * i;
                if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let (tx, errors, work) = (tx.clone(), errors.clone(), request());
                runtime.spawn(async move {
                    if work.await {
                        let _ = tx.send(scheduled.elapsed());
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            started.elapsed()
        })
    };
    let mut latencies = Vec::with_capacity(total as usize);
    while let Some(d) = rx.recv().await {
        latencies.push(d);
    }
    let sent_in = tokio::task::spawn_blocking(move || pacer.join()).await?.map_err(|_| anyhow::anyhow!("the pacer panicked"))?;
    latencies.sort();
    Ok(Latency {
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        requests: latencies.len(),
        errors: errors.load(Ordering::Relaxed) as usize,
        rate: f64::from(total) / sent_in.as_secs_f64(),
    })
}

/// Measures one engine on the (fresh) database at `url`.
pub async fn run_engine(url: &str, seconds: f64, reads_only: bool, second_server: Option<&std::path::Path>) -> Result<Figures> {
    let store = Store::open(url).await.with_context(|| format!("opening {url}"))?;
    let cfg = CreditConfig::default();
    // Max with 10,000 seats: 5,000,000 credits a month, far more than the run consumes.
    let team = ops::create_team(&store, "Bench", Plan::Max, 10_000, None, ops::now(), &cfg).await?;
    ops::top_up(&store, &team, None, &TopupRequest { id: uuid::Uuid::new_v4(), credits: 1_000_000 }, ops::now(), &cfg).await?;
    let mut members = Vec::new();
    for i in 0..8 {
        let role = if i == 0 { Role::Owner } else { Role::Member };
        members.push(ops::add_member(&store, &team, &format!("Seat {i}"), role, ops::now()).await?);
    }
    let tokens: Vec<String> = members.iter().map(|(_, t)| t.clone()).collect();
    let mut team_tokens = Vec::new();
    for i in 0..8 {
        let team = ops::create_team(&store, &format!("Bench {i}"), Plan::Max, 10_000, None, ops::now(), &cfg).await?;
        ops::top_up(&store, &team, None, &TopupRequest { id: uuid::Uuid::new_v4(), credits: 1_000_000 }, ops::now(), &cfg).await?;
        team_tokens.push(ops::add_member(&store, &team, "Owner", Role::Owner, ops::now()).await?.1);
    }

    let server_rt = ServerRuntime(Some(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?));
    let server_rt = server_rt.0.as_ref().expect("just built");
    let server = {
        let store = store.clone();
        server_rt.spawn(async move { Server::start_with(store, "127.0.0.1:0", crate::LimitsConfig::OFF).await }).await??
    };
    let base = server.url();
    // Warm-up: connections, prepared statements, page cache.
    ingest(&base, &tokens[..1], seconds.min(1.0)).await?;
    balance_reads(&base, &tokens[0], 0.5).await?;

    let mut figures = measure(&base, &store, &team, &members[0].0, &tokens, seconds, reads_only).await;
    if let Ok(f) = figures.as_mut()
        && !reads_only
    {
        f.ingest_8_teams = ingest(&base, &team_tokens, seconds).await?;
        if let Some(bin) = second_server {
            let other = SecondServer::spawn(bin, url)?;
            ingest(&other.base, &team_tokens[..1], seconds.min(1.0)).await?;
            f.ingest_2_servers = Some(ingest_spread(&[base.clone(), other.base.clone()], &team_tokens, seconds).await?);
        }
    }
    server_rt.spawn(server.stop()).await??;
    store.close().await;
    figures
}

/// A `credits-backend serve` process on the same database, killed when dropped.
struct SecondServer {
    child: std::process::Child,
    base: String,
}

impl SecondServer {
    fn spawn(bin: &std::path::Path, database: &str) -> Result<SecondServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let listen = format!("127.0.0.1:{port}");
        let child = std::process::Command::new(bin)
            .args(["--database", database, "serve", "--listen", &listen, "--limit-token-per-minute", "0", "--limit-team-per-minute", "0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let server = SecondServer { child, base: format!("http://{listen}") };
        let started = Instant::now();
        while std::net::TcpStream::connect(&listen).is_err() {
            ensure!(started.elapsed() < Duration::from_secs(20), "{} did not listen on {listen}", bin.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's runtime, shut down without blocking when dropped (dropping a runtime
/// inside another one's task would panic).
struct ServerRuntime(Option<tokio::runtime::Runtime>);

impl Drop for ServerRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

async fn measure(base: &str, store: &Store, team: &str, member: &str, tokens: &[String], seconds: f64, reads_only: bool) -> Result<Figures> {
    if reads_only {
        let read_idle = balance_reads(base, &tokens[0], seconds).await?;
        let floor_idle = paced(seconds, || async { true }).await?;
        let http_idle = http_reads(format!("{base}/healthz"), None, seconds).await?;
        let database_idle = database_reads(store, &tokens[0], seconds).await?;
        let parts = Parts { floor_idle, http_idle, database_idle, http_loaded: http_idle, database_loaded: database_idle };
        return Ok(Figures {
            engine: String::new(),
            ingest_1: 0.0,
            ingest_8: 0.0,
            ingest_8_teams: 0.0,
            ingest_2_servers: None,
            raw_multi: 1.0,
            raw_single: 1.0,
            read_idle,
            read_loaded: read_idle,
            parts: Some(parts),
        });
    }
    let ingest_1 = ingest(base, &tokens[..1], seconds).await?;
    let ingest_8 = ingest(base, tokens, seconds).await?;
    let raw_multi = raw_insert(store, team, member, seconds, true).await?;
    let raw_single = raw_insert(store, team, member, seconds, false).await?;
    let read_idle = balance_reads(base, &tokens[0], seconds).await?;
    let floor_idle = paced(seconds, || async { true }).await?;
    let http_idle = http_reads(format!("{base}/healthz"), None, seconds).await?;
    let database_idle = database_reads(store, &tokens[0], seconds).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(stream(client()?, format!("{base}/v1/usage"), tokens[1].clone(), stop.clone()));
    let read_loaded = balance_reads(base, &tokens[0], seconds).await?;
    let http_loaded = http_reads(format!("{base}/healthz"), None, seconds).await?;
    let database_loaded = database_reads(store, &tokens[0], seconds).await?;
    stop.store(true, Ordering::Relaxed);
    load.await??;
    Ok(Figures {
        engine: String::new(),
        ingest_1,
        ingest_8,
        ingest_8_teams: 0.0,
        ingest_2_servers: None,
        raw_multi,
        raw_single,
        read_idle,
        read_loaded,
        parts: Some(Parts { floor_idle, http_idle, http_loaded, database_idle, database_loaded }),
    })
}

fn rate(x: f64) -> String {
    let n = x.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The figures as a Markdown table (for the README) with the targets checked.
pub fn report(all: &[Figures]) -> String {
    let mut out = String::new();
    out += "| engine | ingest, 1 conn (events/s) | ingest, 8 conns (events/s) | raw insert, 1 INSERT/tx (rows/s) | raw insert, 100 INSERTs/tx (rows/s) | best ingest / best raw | balance p50 / p99 at 1,000 req/s, idle (ms) | balance p50 / p99 at 1,000 req/s, during ingest (ms) |\n";
    out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for f in all {
        let ratio = f.ingest_1.max(f.ingest_8) / f.raw_multi.max(f.raw_single);
        out += &format!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} / {:.2} | {:.2} / {:.2} |\n",
            f.engine,
            rate(f.ingest_1),
            rate(f.ingest_8),
            rate(f.raw_multi),
            rate(f.raw_single),
            ratio,
            f.read_idle.p50_ms,
            f.read_idle.p99_ms,
            f.read_loaded.p50_ms,
            f.read_loaded.p99_ms
        );
    }
    out += "\n| engine | ingest, 8 conns for 8 teams (events/s) | 8 teams / 1 conn | 8 teams over two server processes (events/s) | two processes / one |\n";
    out += "| --- | ---: | ---: | ---: | ---: |\n";
    for f in all {
        let two = f.ingest_2_servers.map_or_else(|| ("-".to_owned(), "-".to_owned()), |t| (rate(t), format!("{:.2}", t / f.ingest_8_teams)));
        out += &format!("| {} | {} | {:.2} | {} | {} |\n", f.engine, rate(f.ingest_8_teams), f.ingest_8_teams / f.ingest_1, two.0, two.1);
    }
    out += "\nWhat a balance read is made of, at 1,000 req/s, p50 / p99 (ms): the bench's own floor (its pacer thread and a task that does nothing); the whole read; HTTP alone (`GET /healthz`: client, loopback, server, no database); the database alone (the read's queries on the server's pools, no HTTP).\n\n";
    out += "| engine | the bench's floor, idle | balance, idle | HTTP alone, idle | database alone, idle | balance, during ingest | HTTP alone, during ingest | database alone, during ingest |\n";
    out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for f in all {
        let Some(p) = f.parts else { continue };
        let l = |l: Latency| format!("{:.2} / {:.2}", l.p50_ms, l.p99_ms);
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            f.engine,
            l(p.floor_idle),
            l(f.read_idle),
            l(p.http_idle),
            l(p.database_idle),
            l(f.read_loaded),
            l(p.http_loaded),
            l(p.database_loaded)
        );
    }
    out += "\nTargets: ingest >= 0.5 x raw insert; balance p99 < 2 ms at 1,000 req/s.\n";
    for f in all {
        let ratio = f.ingest_1.max(f.ingest_8) / f.raw_multi.max(f.raw_single);
        let check = |ok: bool| if ok { "met" } else { "MISSED" };
        out += &format!(
            "- {}: ingest ratio {:.2} ({}); balance p99 {:.2} ms idle ({}), {:.2} ms during ingest ({}); reads sent at {:.0}/s, {} answered, {} errors; max {:.1} ms idle, {:.1} ms during ingest\n",
            f.engine,
            ratio,
            check(ratio >= 0.5),
            f.read_idle.p99_ms,
            check(f.read_idle.p99_ms < 2.0),
            f.read_loaded.p99_ms,
            check(f.read_loaded.p99_ms < 2.0),
            f.read_idle.rate.min(f.read_loaded.rate),
            f.read_idle.requests + f.read_loaded.requests,
            f.read_idle.errors + f.read_loaded.errors,
            f.read_idle.max_ms,
            f.read_loaded.max_ms,
        );
    }
    out
}

/// `credits-bench --database URL [--database URL ...] [--seconds S] [--reads-only] [--second-server BIN]`: each
/// URL must name a fresh database (the benchmark creates its team there). `--reads-only`
/// measures idle balance reads alone (quick latency checks).
pub fn main_with_args(args: impl Iterator<Item = String>) -> Result<()> {
    let mut urls = Vec::new();
    let mut seconds = 5.0;
    let mut reads_only = false;
    let mut second_server = None;
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--database" => urls.push(args.next().context("--database URL")?),
            "--seconds" => seconds = args.next().context("--seconds S")?.parse()?,
            "--reads-only" => reads_only = true,
            "--second-server" => second_server = Some(std::path::PathBuf::from(args.next().context("--second-server BIN")?)),
            other => bail!(
                "unknown argument {other}; usage: credits-bench --database URL [--database URL ...] [--seconds S] [--reads-only] [--second-server BIN]"
            ),
        }
    }
    ensure!(!urls.is_empty(), "usage: credits-bench --database URL [--database URL ...] [--seconds S] [--reads-only] [--second-server BIN]");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut all = Vec::new();
    for url in &urls {
        let engine = if crate::db::is_postgres_url(url) { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" };
        eprintln!("benchmarking {engine} for about {:.0} s ...", seconds * 12.0 + 3.0);
        // Several servers share PostgreSQL; SQLite stays one server.
        let second = second_server.as_deref().filter(|_| crate::db::is_postgres_url(url));
        let mut f = runtime.block_on(run_engine(url, seconds, reads_only, second))?;
        f.engine = engine.to_owned();
        all.push(f);
    }
    println!("{}", report(&all));
    Ok(())
}
