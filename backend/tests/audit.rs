//! The audit trail: every owner or operator action is recorded with who, when, what,
//! before and after; refused actions record nothing; owners page through their team's
//! entries over HTTP, operators through everything with `credits-backend audit`.

mod common;

use std::process::Command;

use common::*;
use credits_backend::ops;
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn actions(entries: &[Value]) -> Vec<&str> {
    entries.iter().map(|e| e["action"].as_str().unwrap()).collect()
}

/// Every entry the owner can see, following the cursor `limit` at a time.
async fn all_entries(app: &TestApp, owner: &str, limit: u32) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut path = format!("/v1/audit?limit={limit}");
    loop {
        let (status, page) = app.get(&path, owner).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let got = page["entries"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        entries.extend(got.iter().cloned());
        match page["next_before"].as_str() {
            Some(c) => path = format!("/v1/audit?limit={limit}&before={c}"),
            None => return entries,
        }
    }
}

#[tokio::test]
async fn a_budget_change_is_recorded_with_who_and_before_and_after() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 2).await;
        let (owner_id, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (member_id, _) = app.member(&team, "Taras", Role::Member).await;
        let path = format!("/v1/members/{member_id}/budget");
        let body = serde_json::to_vec(&json!({ "credits": 40 })).unwrap();
        assert_eq!(app.call(reqwest::Method::PUT, &path, Some(&owner), Some(body)).await.0, StatusCode::OK);
        credits_backend::budgets::set_budget(&app.store, None, None, &member_id, None, ops::now(), &app.cfg).await.unwrap();
        let entries = all_entries(app, &owner, 50).await;
        assert_eq!(actions(&entries)[..2], ["budget_changed", "budget_changed"]);
        let (cleared, set) = (&entries[0], &entries[1]);
        assert_eq!((&set["actor"], &set["subject"]), (&json!({ "kind": "member", "member_id": owner_id }), &json!(member_id)));
        assert_eq!((&set["before"]["budget"], &set["after"]["budget"]), (&Value::Null, &json!(40)));
        assert_eq!(
            (&cleared["actor"], &cleared["before"]["budget"], &cleared["after"]["budget"]),
            (&json!({ "kind": "cli" }), &json!(40), &Value::Null)
        );
    })
    .await;
}

#[tokio::test]
async fn every_owner_and_operator_action_is_recorded_and_listed() {
    on_each_engine(async |app: &TestApp| {
        let cfg = &app.cfg;
        let team = app.team(Plan::Lite, 1).await;
        let (owner_id, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (member_id, member) = app.member(&team, "Taras", Role::Member).await;
        let other = app.team(Plan::Pro, 1).await;
        let (_, other_owner) = app.member(&other, "Iryna", Role::Owner).await;

        let topup = json!({ "id": uuid::Uuid::new_v4().to_string(), "credits": 500 });
        assert_eq!(app.post("/v1/topups", &owner, &topup).await.0, StatusCode::OK);
        assert_eq!(app.post("/v1/topups", &owner, &topup).await.0, StatusCode::OK, "a replay");
        ops::set_plan(&app.store, &team, None, Some(2), ops::now(), cfg).await.unwrap();
        let used = event("answer");
        app.usage(&member, vec![used.clone()]).await;
        let (status, e) = app.get("/v1/audit", &member).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "owners only");
        ops::refund(&app.store, &team, used["id"].as_str().unwrap(), ops::now(), cfg).await.unwrap();
        ops::issue_token(&app.store, &member_id, ops::now()).await.unwrap();
        ops::revoke(&app.store, &member_id, ops::now()).await.unwrap();
        ops::restore(&app.store, &member_id, ops::now()).await.unwrap();
        ops::set_rules(&app.store, &serde_json::to_string(&credits_core::recognition::Rules::shipped()).unwrap(), ops::now()).await.unwrap();

        // Refused actions leave no entry: the entry is written in the action's transaction.
        let before = scalar(&app.store, "SELECT COUNT(*) FROM audit").await;
        assert!(ops::refund(&app.store, &team, used["id"].as_str().unwrap(), ops::now(), cfg).await.is_err(), "refunded twice");
        assert!(ops::set_plan(&app.store, &team, None, Some(0), ops::now(), cfg).await.is_err());
        let reused = json!({ "id": topup["id"], "credits": 500 });
        assert_eq!(app.post("/v1/topups", &other_owner, &reused).await.0, StatusCode::CONFLICT);
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM audit").await, before);

        let entries = all_entries(app, &owner, 2).await;
        assert_eq!(
            actions(&entries),
            ["member_restored", "member_revoked", "token_issued", "refund", "plan_changed", "topup", "member_added", "member_added", "team_created"]
        );
        assert_eq!(entries, all_entries(app, &owner, 200).await, "paging sees the same entries");
        let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        assert!(entries.iter().all(|e| e["team_id"] == json!(team)));

        let topup_entry = &entries[5];
        assert_eq!(topup_entry["actor"], json!({ "kind": "member", "member_id": owner_id }));
        assert_eq!(topup_entry["subject"], topup["id"]);
        assert_eq!((topup_entry["before"]["extra"].as_u64(), topup_entry["after"]["extra"].as_u64()), (Some(0), Some(500)));
        let plan = &entries[4];
        assert_eq!(plan["actor"], json!({ "kind": "cli" }));
        assert_eq!((plan["before"]["seats"].as_u64(), plan["after"]["seats"].as_u64()), (Some(1), Some(2)));
        let refund = &entries[3];
        assert_eq!(refund["subject"], used["id"]);
        assert_eq!((refund["before"]["used"].as_u64(), refund["after"]["used"].as_u64()), (Some(1), Some(0)));
        assert_eq!((entries[1]["before"]["revoked"].as_bool(), entries[1]["after"]["revoked"].as_bool()), (Some(false), Some(true)));
        assert_eq!(entries[0]["after"]["revoked"], false);
        assert_eq!(entries[6]["after"], json!({ "name": "Taras", "role": "member" }));
        assert!(entries.iter().all(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).is_ok()));

        // Each team sees its own.
        assert_eq!(actions(&all_entries(app, &other_owner, 50).await), ["member_added", "team_created"]);
        for bad in ["/v1/audit?before=abc", "/v1/audit?before=-3", "/v1/audit?limit=0"] {
            assert_eq!(app.get(bad, &owner).await.0, StatusCode::BAD_REQUEST, "{bad}");
        }

        // The command line: one team, or everything (the rules change has no team).
        let cli = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_credits-backend")).args(["--database", &app.db.url, "audit"]).args(args).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(cli(&["--team", &team]), entries);
        let everything = cli(&[]);
        assert_eq!(everything.len(), entries.len() + 3);
        assert_eq!((everything[0]["action"].as_str(), &everything[0]["team_id"]), (Some("rules_changed"), &Value::Null));
        assert!(everything[0]["before"]["etag"].is_string() && everything[0]["after"]["etag"].is_string());
    })
    .await;
}
