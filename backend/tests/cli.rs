//! The administration commands of the real binary (SPEC section 3): each prints its result
//! alone on stdout; bad input is a clear error on stderr, a non-zero exit, nothing changed.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use credits_backend::{Server, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn run_in(dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_credits-backend"));
    cmd.current_dir(dir).env_remove("CREDITS_DATABASE_URL").env_remove("RUST_LOG");
    if let Some(db) = database {
        cmd.args(["--database", db]);
    }
    cmd.args(args).output().unwrap()
}

/// Runs a command that must succeed; returns its stdout, trimmed.
fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = run_in(db.dir(), Some(&db.url), args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

/// Runs a command that must fail; returns its stderr. Nothing may reach stdout.
fn fails(db: &TestDb, args: &[&str], expect: &str) -> String {
    let out = run_in(db.dir(), Some(&db.url), args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(out.stdout.is_empty(), "{args:?} printed {:?}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains(expect), "{args:?}: expected {expect:?} in {stderr}");
    stderr
}

fn balance(json_line: &str) -> Value {
    assert_eq!(json_line.lines().count(), 1, "{json_line}");
    serde_json::from_str(json_line).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_prints_its_result_alone() {
    for engine in engines() {
        eprintln!("--- {engine:?}");
        let db = TestDb::new(engine).await;
        // The server runs beside the commands, on the same database.
        let store = Store::open(&db.url).await.unwrap();
        let server = Server::start(store.clone(), "127.0.0.1:0").await.unwrap();
        let http = client();
        let get = async |path: &str, token: &str| -> (StatusCode, Value) {
            let res = http.get(format!("{}{path}", server.url())).bearer_auth(token).send().await.unwrap();
            (res.status(), res.json().await.unwrap_or(Value::Null))
        };
        let teams = async || scalar(&store, "SELECT COUNT(*) FROM teams").await;

        // team create
        let team = ok(&db, &["team", "create", "--name", "Demo Team", "--plan", "pro", "--seats", "3"]);
        uuid::Uuid::try_parse(&team).unwrap_or_else(|_| panic!("not a team id: {team:?}"));
        let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        fails(&db, &["team", "create", "--name", "X", "--plan", "pro", "--seats", "1", "--anchor", &future], "anchor_in_future");
        fails(&db, &["team", "create", "--name", "X", "--plan", "pro", "--seats", "1", "--anchor", "yesterday"], "invalid_anchor");
        fails(&db, &["team", "create", "--name", "X", "--plan", "gold", "--seats", "1"], "gold");
        fails(&db, &["team", "create", "--name", "X", "--plan", "pro", "--seats", "0"], "invalid_seats");
        fails(&db, &["team", "create", "--name", "  ", "--plan", "pro", "--seats", "1"], "invalid_name");
        assert_eq!(teams().await, 1, "refused creations change nothing");
        let anchored = ok(&db, &["team", "create", "--name", "Old", "--plan", "lite", "--seats", "1", "--anchor", "2026-01-31T10:00:00Z"]);
        let old_owner = ok(&db, &["member", "add", "--team", &anchored, "--name", "Ann", "--role", "owner"]);
        let b = get("/v1/balance", &old_owner).await.1;
        assert!(b["cycle_start"].as_str().unwrap().ends_with("T10:00:00Z"), "cycles follow the anchor: {b}");

        // member add / list / token / revoke
        let owner = ok(&db, &["member", "add", "--team", &team, "--name", "Olena", "--role", "owner"]);
        assert!(owner.starts_with("upx_") && owner.len() == 47, "{owner:?}");
        let member = ok(&db, &["member", "add", "--team", &team, "--name", "Taras"]);
        assert_eq!(get("/v1/me", &member).await.1["role"], "member", "the default role");
        fails(&db, &["member", "add", "--team", &uuid::Uuid::new_v4().to_string(), "--name", "Nobody"], "team_not_found");
        fails(&db, &["member", "add", "--team", &team, "--name", "Eve", "--role", "admin"], "admin");
        let list = ok(&db, &["member", "list", "--team", &team]);
        let lines: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(lines.len(), 2, "{list}");
        assert_eq!((lines[0][1], lines[0][2]), ("owner", "Olena"));
        assert_eq!((lines[1][1], lines[1][2]), ("member", "Taras"));
        fails(&db, &["member", "list", "--team", "nope"], "team_not_found");
        let taras = lines[1][0].to_owned();
        let second = ok(&db, &["member", "token", "--member", &taras]);
        assert_ne!(second, member);
        assert_eq!(get("/v1/me", &second).await.1["name"], "Taras");
        fails(&db, &["member", "token", "--member", "nope"], "member_not_found");
        assert_eq!(ok(&db, &["member", "revoke", "--member", &taras]), "");
        assert_eq!(get("/v1/me", &member).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(get("/v1/me", &second).await.0, StatusCode::UNAUTHORIZED);
        fails(&db, &["member", "revoke", "--member", &uuid::Uuid::new_v4().to_string()], "member_not_found");

        // topup
        let b = balance(&ok(&db, &["topup", "--team", &team, "--credits", "100"]));
        assert_eq!((b["extra"].as_u64(), b["spendable"].as_u64()), (Some(100), Some(850)));
        for bad in ["0", "-5", "1.5", "1000001", "abc"] {
            fails(&db, &["topup", "--team", &team, "--credits", bad], "invalid_credits");
        }
        fails(&db, &["topup", "--team", "nope", "--credits", "5"], "team_not_found");
        assert_eq!(get("/v1/balance", &owner).await.1["extra"], 100, "refused top-ups change nothing");

        // plan set
        let b = balance(&ok(&db, &["plan", "set", "--team", &team, "--seats", "2"]));
        assert_eq!((b["total"].as_u64(), b["plan"].as_str()), (Some(500), Some("pro")));
        let b = balance(&ok(&db, &["plan", "set", "--team", &team, "--plan", "max", "--seats", "1"]));
        assert_eq!((b["total"].as_u64(), b["seats"].as_u64()), (Some(500), Some(1)));
        fails(&db, &["plan", "set", "--team", &team], "--plan");
        fails(&db, &["plan", "set", "--team", &team, "--plan", "trial"], "invalid_plan");
        fails(&db, &["plan", "set", "--team", "nope", "--seats", "2"], "team_not_found");
        assert_eq!(get("/v1/balance", &owner).await.1["plan"], "max");

        // refund
        let answer: Value = http
            .post(format!("{}/v1/usage", server.url()))
            .bearer_auth(&owner)
            .json(&json!({ "events": [event("answer"), event("answer")] }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let usage = answer["results"][0]["id"].as_str().unwrap().to_owned();
        let b = balance(&ok(&db, &["refund", "--team", &team, "--usage", &usage]));
        assert_eq!((b["used"].as_u64(), b["remaining"].as_u64()), (Some(1), Some(499)));
        fails(&db, &["refund", "--team", &team, "--usage", &usage], "already_refunded");
        fails(&db, &["refund", "--team", &anchored, "--usage", &usage], "usage_not_found");
        fails(&db, &["refund", "--team", &team, "--usage", "not-a-uuid"], "usage_not_found");

        // rules set
        let rules_etag = async || {
            let res = http.get(format!("{}/v1/rules", server.url())).bearer_auth(&owner).send().await.unwrap();
            res.headers()["etag"].to_str().unwrap().to_owned()
        };
        let shipped_etag = rules_etag().await;
        let mut rules = credits_core::recognition::Rules::shipped();
        rules.version = 7;
        let file = db.dir().join("rules.json");
        std::fs::write(&file, serde_json::to_string_pretty(&rules).unwrap()).unwrap();
        let etag = ok(&db, &["rules", "set", "--file", file.to_str().unwrap()]);
        assert_ne!(etag, shipped_etag);
        assert_eq!(rules_etag().await, etag);
        std::fs::write(&file, "{\"version\": 8}").unwrap();
        fails(&db, &["rules", "set", "--file", file.to_str().unwrap()], "invalid_rules");
        fails(&db, &["rules", "set", "--file", "/nonexistent/rules.json"], "invalid_rules");
        assert_eq!(rules_etag().await, etag, "refused rules change nothing");

        server.stop().await.unwrap();
        store.close().await;
        db.drop_db().await;
    }
}

#[test]
fn the_database_defaults_to_credits_db_here_and_follows_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), None, &["team", "create", "--name", "T", "--plan", "trial", "--seats", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("credits.db").is_file());

    let elsewhere = dir.path().join("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
        .current_dir(dir.path())
        .env("CREDITS_DATABASE_URL", format!("sqlite://{}", elsewhere.display()))
        .args(["team", "create", "--name", "T", "--plan", "lite", "--seats", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(elsewhere.is_file());
}
