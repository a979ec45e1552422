//! The plan advisor through the real API: completed cycles from the stored usage rows, this
//! cycle's pace for a new team, and money only once the operator sets prices.

mod common;

use std::process::Command;

use common::*;
use credits_backend::ops;
use credits_core::Plan;
use credits_core::api::Role;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_advice_from_completed_cycles_and_prices() {
    on_each_engine(async |app: &TestApp| {
        // A new team: no completed cycle, advice from the pace, said as such.
        let fresh = app.team(Plan::Pro, 1).await;
        let (_, fresh_owner) = app.member(&fresh, "Bo", Role::Owner).await;
        let (_, ins) = app.get("/v1/insights", &fresh_owner).await;
        assert_eq!(ins["plan_advice"]["basis"], "this_cycle_pace");
        assert!(ins["by_action"].is_array(), "the insights are still there: {ins}");

        let anchor = ops::now() - chrono::Duration::days(70);
        let team = app.team_anchored(Plan::Pro, 1, Some(anchor)).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        app.top_up(&team, 100).await;
        let answer = app.usage(&owner, (0..300).map(|_| event("answer")).collect()).await;
        assert!(statuses(&answer).iter().all(|s| s == "applied"));
        // Into the previous cycle: what the advisor reads is the stored rows of each cycle.
        exec(&app.store, &format!("UPDATE events SET recorded_at = recorded_at - {} WHERE team_id = '{team}'", 31i64 * 86_400_000)).await.unwrap();

        let (status, ins) = app.get("/v1/insights", &owner).await;
        assert_eq!(status, 200, "{ins}");
        let advice = &ins["plan_advice"];
        assert_eq!(advice["basis"], "completed_cycles");
        let cycles = advice["cycles"].as_array().unwrap();
        assert_eq!(cycles.len(), 2, "{advice}");
        assert_eq!((cycles[1]["used"].as_u64(), cycles[1]["extra"].as_u64()), (Some(300), Some(50)));
        assert_eq!(
            (advice["per_cycle"].as_u64(), advice["extra_per_cycle"].as_u64(), advice["allowance"].as_u64()),
            (Some(150), Some(25), Some(250))
        );
        assert_eq!(advice["currency"], Value::Null);
        assert!(advice["options"].as_array().unwrap().iter().all(|o| o["cost"].is_null()), "no price invented");

        let file = app.db.dir().join("prices.json");
        std::fs::write(&file, r#"{"currency": "USD", "plans": {"lite": 9, "pro": 19, "max": 29}, "packs": [{"credits": 100, "price": 15}]}"#)
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
            .args(["--database", &app.db.url, "prices", "set", "--file", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::write(&file, r#"{"currency": "USD", "plans": {"trial": 1}}"#).unwrap();
        let bad = Command::new(env!("CARGO_BIN_EXE_credits-backend"))
            .args(["--database", &app.db.url, "prices", "set", "--file", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!bad.status.success() && bad.stdout.is_empty());

        let (_, ins) = app.get("/v1/insights", &owner).await;
        let advice = &ins["plan_advice"];
        assert_eq!(advice["currency"], "USD");
        // 150 a cycle on Pro (250): Lite (100) is too small, so staying is the advice, at 19.
        assert_eq!(advice["recommendation"], "stay");
        assert_eq!(advice["options"][0]["cost"], 19.0);
    })
    .await;
}
