//! Every endpoint and every error, over real HTTP on loopback, on each engine.

mod common;

use common::*;
use credits_core::Plan;
use credits_core::api::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn me_and_balance_describe_the_token_owner_and_team() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 3).await;
        let (owner_id, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (_, member) = app.member(&team, "Taras", Role::Member).await;
        let (status, me) = app.get("/v1/me", &owner).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me, json!({ "member_id": owner_id, "name": "Olena", "role": "owner", "team_id": team, "team_name": "Team" }));
        assert_eq!(app.get("/v1/me", &member).await.1["role"], "member");

        let b = app.balance(&member).await;
        assert_eq!((b["total"].as_u64(), b["remaining"].as_u64(), b["used"].as_u64(), b["extra"].as_u64()), (Some(750), Some(750), Some(0), Some(0)));
        assert_eq!(
            (b["spendable"].as_u64(), b["plan"].as_str(), b["seats"].as_u64(), b["low"].as_bool()),
            (Some(750), Some("pro"), Some(3), Some(false))
        );
        assert!(b["resets_at"].as_str().unwrap() > b["cycle_start"].as_str().unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_batch_is_judged_event_by_event_and_applied_in_order() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (member_id, token) = app.member(&team, "Olena", Role::Owner).await;
        let future = "2999-01-01T00:00:00Z";
        let good = json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "cover_letter", "regenerate": true, "job_id": "~021998744339961847531", "occurred_at": future });
        let answer = app
            .usage(&token, vec![
                good.clone(),
                json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "check_fit", "occurred_at": future }),
                json!({ "id": "not-a-uuid", "action": "answer", "occurred_at": future }),
                json!({ "id": 7, "action": "answer" }),
                json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "answer", "regenerate": "yes", "occurred_at": future }),
                json!("just a string"),
                event("answer"),
            ])
            .await;
        assert_eq!(statuses(&answer), [
            "applied",
            "rejected:unknown_action",
            "rejected:invalid_event",
            "rejected:invalid_event",
            "rejected:invalid_event",
            "rejected:invalid_event",
            "applied"
        ]);
        assert_eq!(answer["results"][2]["id"], "not-a-uuid", "a string id is echoed");
        assert_eq!(answer["results"][3]["id"], Value::Null);
        assert_eq!(answer["balance"]["used"], 2);
        assert_eq!(answer["balance"]["remaining"], 98);

        let rows = app.all_rows(&token).await;
        assert_eq!(rows.len(), 2, "only applied events are usage rows");
        let row = rows.iter().find(|r| r["id"] == good["id"]).unwrap();
        assert_eq!(row["action"], "cover_letter");
        assert_eq!(row["label"], "Cover Letter");
        assert_eq!(row["regenerate"], true);
        assert_eq!(row["job_id"], "~021998744339961847531");
        assert_eq!(row["member_id"], member_id);
        assert_eq!(row["member"], "Olena");
        assert_eq!(row["bucket"], "monthly");
        assert_eq!(row["credits"], -1);
        assert_eq!(row["refunded"], false);
        // A clock in the future does not lose the record: it is stored at the recording time.
        assert_eq!(row["occurred_at"], row["recorded_at"]);
    })
    .await;
}

#[tokio::test]
async fn monthly_pays_first_then_extra_then_nothing_is_charged() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        app.top_up(&team, 2).await;
        let answer = app.usage(&token, (0..103).map(|_| event("job_matching")).collect()).await;
        let s = statuses(&answer);
        assert!(s[..102].iter().all(|s| s == "applied"), "{s:?}");
        assert_eq!(s[102], "rejected:insufficient_credits");
        let b = &answer["balance"];
        assert_eq!(
            (b["remaining"].as_u64(), b["extra"].as_u64(), b["used"].as_u64(), b["spendable"].as_u64(), b["low"].as_bool()),
            (Some(0), Some(0), Some(102), Some(0), Some(true))
        );
        let rows = app.all_rows(&token).await;
        assert_eq!(rows.len(), 102);
        assert_eq!(rows.iter().filter(|r| r["bucket"] == "extra").count(), 2);
        let mut read = app.balance(&token).await;
        assert_eq!(read.as_object_mut().unwrap().remove("member"), Some(json!({"used": 102, "budget": null, "left": null})));
        assert_eq!(read, *b);
    })
    .await;
}

#[tokio::test]
async fn replays_never_charge_twice_and_keep_the_first_answer() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        app.usage(&token, (0..99).map(|_| event("answer")).collect()).await;
        let a = event("answer");
        let b = event("answer");
        let unknown = json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "check_fit", "occurred_at": "2026-01-01T00:00:00Z" });
        let first = app.usage(&token, vec![a.clone(), b.clone(), unknown.clone()]).await;
        assert_eq!(statuses(&first), ["applied", "rejected:insufficient_credits", "rejected:unknown_action"]);
        // Credits arrive: a replay still answers the first outcome; only a new id counts.
        app.top_up(&team, 10).await;
        let c = event("answer");
        let replay = app.usage(&token, vec![a.clone(), b.clone(), unknown.clone(), c]).await;
        assert_eq!(statuses(&replay), ["duplicate", "rejected:insufficient_credits", "rejected:unknown_action", "applied"]);
        assert_eq!(replay["balance"]["used"], 101);
        assert_eq!(replay["balance"]["extra"], 9);
        assert_eq!(app.all_rows(&token).await.len(), 101);
        // The same id in another case is the same UUID.
        let upper = json!({ "id": a["id"].as_str().unwrap().to_uppercase(), "action": "answer", "occurred_at": "2026-01-01T00:00:00Z" });
        assert_eq!(statuses(&app.usage(&token, vec![upper]).await), ["duplicate"]);
    })
    .await;
}

#[tokio::test]
async fn bodies_that_are_not_batches_are_refused_whole_and_change_nothing() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let before = app.balance(&token).await;
        let id = uuid::Uuid::new_v4().to_string();
        let valid = |id: &str| json!({ "id": id, "action": "answer", "occurred_at": "2026-01-01T00:00:00Z" });
        let too_many: Vec<Value> = (0..501).map(|_| event("answer")).collect();
        let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
            (b"not json".to_vec(), StatusCode::BAD_REQUEST, "invalid_json"),
            (b"{\"events\": [".to_vec(), StatusCode::BAD_REQUEST, "invalid_json"),
            (b"[]".to_vec(), StatusCode::BAD_REQUEST, "invalid_batch"),
            (br#"{"events": {}}"#.to_vec(), StatusCode::BAD_REQUEST, "invalid_batch"),
            (br#"{"events": []}"#.to_vec(), StatusCode::BAD_REQUEST, "empty_batch"),
            (serde_json::to_vec(&json!({ "events": too_many })).unwrap(), StatusCode::BAD_REQUEST, "too_many_events"),
            (serde_json::to_vec(&json!({ "events": [valid(&id), event("answer"), valid(&id)] })).unwrap(), StatusCode::BAD_REQUEST, "duplicate_id"),
        ];
        for (body, status, code) in cases {
            let (got, answer) = app.call(Method::POST, "/v1/usage", Some(&token), Some(body)).await;
            assert_eq!((got, answer["error"]["code"].as_str()), (status, Some(code)), "{answer}");
            assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        // Over 1 MiB: 413, whether or not it would parse.
        let mut big = serde_json::to_vec(&json!({ "events": [valid(&id)] })).unwrap();
        big.splice(1..1, std::iter::repeat_n(b' ', 1024 * 1024));
        let (got, answer) = app.call(Method::POST, "/v1/usage", Some(&token), Some(big)).await;
        assert_eq!((got, answer["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")));

        assert_eq!(app.balance(&token).await, before);
        assert!(app.all_rows(&token).await.is_empty());
        // Nothing was remembered either: the id still applies.
        assert_eq!(statuses(&app.usage(&token, vec![valid(&id)]).await), ["applied"]);
    })
    .await;
}

#[tokio::test]
async fn usage_history_pages_newest_first_and_filters() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Max, 1).await;
        let (olena_id, olena) = app.member(&team, "Olena", Role::Owner).await;
        let (taras_id, taras) = app.member(&team, "Taras", Role::Member).await;
        app.usage(&olena, (0..150).map(|_| event("job_matching")).collect()).await;
        app.usage(&taras, vec![event_on_job("cover_letter", "~01abc", false), event_on_job("cover_letter", "~01abc", true)]).await;
        app.usage(&olena, (0..55).map(|_| event("auto_bid")).collect()).await;

        // Default page 50; larger limits capped at 200; the cursor walks every row once.
        let (_, page) = app.get("/v1/usage", &olena).await;
        assert_eq!(page["rows"].as_array().unwrap().len(), 50);
        let (_, page) = app.get("/v1/usage?limit=100000", &olena).await;
        assert_eq!(page["rows"].as_array().unwrap().len(), 200);
        assert!(page["next_before"].is_string());
        let mut seen = Vec::new();
        let mut path = "/v1/usage?limit=7".to_owned();
        loop {
            let (status, page) = app.get(&path, &taras).await;
            assert_eq!(status, StatusCode::OK);
            seen.extend(page["rows"].as_array().unwrap().iter().cloned());
            match page["next_before"].as_str() {
                Some(c) => path = format!("/v1/usage?limit=7&before={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 207);
        let keys: Vec<(credits_core::Timestamp, String)> =
            seen.iter().map(|r| (r["occurred_at"].as_str().unwrap().parse().unwrap(), r["id"].as_str().unwrap().to_owned())).collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(keys, sorted, "newest first, no row twice");
        assert_eq!(seen[0]["action"], "auto_bid");
        assert_eq!(seen[206]["action"], "job_matching");

        let count = |page: &Value| page["rows"].as_array().unwrap().len();
        let (_, p) = app.get("/v1/usage?action=cover_letter", &olena).await;
        assert_eq!(count(&p), 2);
        assert!(p["rows"].as_array().unwrap().iter().all(|r| r["member_id"] == taras_id.as_str() && r["member"] == "Taras"));
        let (_, p) = app.get(&format!("/v1/usage?member={taras_id}"), &olena).await;
        assert_eq!(count(&p), 2);
        let (_, p) = app.get(&format!("/v1/usage?member={olena_id}&action=auto_bid&limit=200"), &olena).await;
        assert_eq!(count(&p), 55);
        let (_, p) = app.get("/v1/usage?job_id=~01abc", &olena).await;
        assert_eq!(count(&p), 2);
        assert_eq!(p["rows"].as_array().unwrap().iter().filter(|r| r["regenerate"] == true).count(), 1);
        let (_, p) = app.get("/v1/usage?job_id=~01abd", &olena).await;
        assert_eq!(count(&p), 0);

        for bad in
            ["limit=0", "limit=-1", "limit=abc", "action=check_fit", "member=olena", "job_id=123", "before=garbage", "before=MTIzOm5vdC1hLXV1aWQ"]
        {
            let (status, e) = app.get(&format!("/v1/usage?{bad}"), &olena).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {e}");
            assert!(e["error"]["code"].is_string(), "{bad}: {e}");
        }
    })
    .await;
}

#[tokio::test]
async fn members_show_this_cycles_use_per_member() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 2).await;
        let (olena_id, olena) = app.member(&team, "Olena", Role::Owner).await;
        let (taras_id, taras) = app.member(&team, "Taras", Role::Member).await;
        let (ivan_id, _) = app.member(&team, "Ivan", Role::Member).await;
        // Last active is the latest time an action occurred, not the latest sync: Taras's
        // second batch holds older clicks.
        let at = |t: &str| json!({ "id": uuid::Uuid::new_v4().to_string(), "action": "answer", "occurred_at": t });
        app.usage(&taras, vec![at("2026-11-24T10:00:00Z"), at("2026-11-24T12:30:00.250Z"), at("2026-11-24T11:00:00Z")]).await;
        app.usage(&taras, vec![at("2026-11-23T08:00:00Z"), at("2026-11-24T09:00:00Z")]).await;
        app.usage(&olena, (0..2).map(|_| event("answer")).collect()).await;
        let (status, mut members) = app.get("/v1/members", &taras).await;
        assert_eq!(status, StatusCode::OK);
        // Olena's clicks are from now: checked apart, then null in the comparison below.
        let olena_last = members[1]["last_active_at"].take();
        let olena_last: credits_core::Timestamp = olena_last.as_str().unwrap().parse().unwrap();
        assert!((credits_backend::ops::now() - olena_last).num_seconds().abs() < 60, "{olena_last}");
        assert_eq!(
            members,
            json!([
                { "member_id": taras_id, "name": "Taras", "role": "member", "used": 5, "budget": null, "left": null,
                  "last_active_at": "2026-11-24T12:30:00.250Z" },
                { "member_id": olena_id, "name": "Olena", "role": "owner", "used": 2, "budget": null, "left": null, "last_active_at": null },
                { "member_id": ivan_id, "name": "Ivan", "role": "member", "used": 0, "budget": null, "left": null, "last_active_at": null },
            ])
        );
    })
    .await;
}

#[tokio::test]
async fn top_ups_are_for_owners_validated_and_idempotent() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, owner) = app.member(&team, "Olena", Role::Owner).await;
        let (_, member) = app.member(&team, "Taras", Role::Member).await;
        let id = uuid::Uuid::new_v4().to_string();
        let pack = json!({ "id": id, "credits": 500 });

        let (status, e) = app.post("/v1/topups", &member, &pack).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (status, e) = app.call(Method::POST, "/v1/topups", None, Some(serde_json::to_vec(&pack).unwrap())).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
        for (body, code) in [
            (json!({ "id": id, "credits": 0 }), "invalid_credits"),
            (json!({ "id": id, "credits": -5 }), "invalid_credits"),
            (json!({ "id": id, "credits": 2.5 }), "invalid_credits"),
            (json!({ "id": id, "credits": 1_000_001 }), "invalid_credits"),
            (json!({ "id": id, "credits": "100" }), "invalid_credits"),
            (json!({ "id": id }), "invalid_credits"),
            (json!({ "id": "pack-1", "credits": 100 }), "invalid_id"),
        ] {
            let (status, e) = app.post("/v1/topups", &owner, &body).await;
            assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{body}");
        }
        let (status, e) = app.call(Method::POST, "/v1/topups", Some(&owner), Some(b"{".to_vec())).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));
        assert_eq!(app.balance(&owner).await["extra"], 0, "refused top-ups change nothing");

        let (status, b) = app.post("/v1/topups", &owner, &pack).await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert_eq!((b["extra"].as_u64(), b["spendable"].as_u64()), (Some(500), Some(600)));
        let (status, b) = app.post("/v1/topups", &owner, &pack).await;
        assert_eq!((status, b["extra"].as_u64()), (StatusCode::OK, Some(500)), "the same top-up again is recorded once");
        let (status, e) = app.post("/v1/topups", &owner, &json!({ "id": id, "credits": 100 })).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("topup_id_reused")));
        let (status, b) = app.post("/v1/topups", &owner, &json!({ "id": uuid::Uuid::new_v4().to_string(), "credits": 1_000_000 })).await;
        assert_eq!((status, b["extra"].as_u64()), (StatusCode::OK, Some(1_000_500)));

        // Another team cannot reuse (nor learn anything about) this id.
        let other = app.team(Plan::Lite, 1).await;
        let (_, other_owner) = app.member(&other, "Eve", Role::Owner).await;
        let (status, e) = app.post("/v1/topups", &other_owner, &pack).await;
        assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("topup_id_reused")));
        assert_eq!(app.balance(&other_owner).await["extra"], 0);
        assert_eq!(app.balance(&owner).await["extra"], 1_000_500);
    })
    .await;
}

#[tokio::test]
async fn a_refund_returns_the_credit_and_marks_the_row() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let answer = app.usage(&token, (0..3).map(|_| event("answer")).collect()).await;
        let id = answer["results"][1]["id"].as_str().unwrap().to_owned();
        let b = credits_backend::ops::refund(&app.store, &team, &id, credits_backend::ops::now(), &app.cfg).await.unwrap();
        assert_eq!((b.used, b.remaining), (2, 98));
        let rows = app.all_rows(&token).await;
        assert_eq!(rows.len(), 3, "the row stays");
        assert_eq!(rows.iter().filter(|r| r["refunded"] == true).map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(), [id.as_str()]);
        assert_eq!(app.get("/v1/members", &token).await.1[0]["used"], 2);
        let again = credits_backend::ops::refund(&app.store, &team, &id, credits_backend::ops::now(), &app.cfg).await.unwrap_err();
        assert_eq!(again.code(), "already_refunded");
        // Another team's row is not this team's to refund.
        let other = app.team(Plan::Lite, 1).await;
        let e = credits_backend::ops::refund(&app.store, &other, answer["results"][0]["id"].as_str().unwrap(), credits_backend::ops::now(), &app.cfg)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "usage_not_found");
        assert_eq!(app.balance(&token).await["used"], 2);
    })
    .await;
}

#[tokio::test]
async fn unauthenticated_forbidden_and_revoked_are_distinct() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (member_id, token) = app.member(&team, "Taras", Role::Member).await;
        for path in ["/v1/me", "/v1/balance", "/v1/usage", "/v1/members", "/v1/insights", "/v1/rules"] {
            let (status, e) = app.call(Method::GET, path, None, None).await;
            assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{path}");
            let (status, _) = app.get(path, "upx_not-a-real-token").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        }
        let res = app.http.get(app.url("/v1/me")).header("authorization", format!("Basic {token}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let (status, _) = app.post("/v1/usage", "nope", &json!({ "events": [event("answer")] })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let second = credits_backend::ops::issue_token(&app.store, &member_id, credits_backend::ops::now()).await.unwrap();
        assert_eq!(app.get("/v1/me", &second).await.0, StatusCode::OK);
        assert_eq!(credits_backend::ops::revoke(&app.store, &member_id, credits_backend::ops::now()).await.unwrap(), 2);
        for t in [&token, &second] {
            let (status, e) = app.get("/v1/balance", t).await;
            assert_eq!((status, e["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "revoked at once");
        }
        assert_eq!(app.balance(&app.member(&team, "Olena", Role::Owner).await.1).await["used"], 0);
    })
    .await;
}

#[tokio::test]
async fn a_team_can_neither_read_nor_change_another_team() {
    on_each_deployment(async |app: &TestApp| {
        let a = app.team(Plan::Lite, 1).await;
        let (a_member, a_token) = app.member(&a, "Olena", Role::Owner).await;
        let b = app.team(Plan::Max, 1).await;
        let (_, b_token) = app.member(&b, "Eve", Role::Owner).await;
        let a_event = event_on_job("cover_letter", "~01abc", false);
        app.usage(&a_token, vec![a_event.clone()]).await;

        // Replaying A's event id from B: invalid for B, never a duplicate, nothing charged.
        let answer = app.usage(&b_token, vec![a_event.clone(), event("answer")]).await;
        assert_eq!(statuses(&answer), ["rejected:invalid_event", "applied"]);
        assert_eq!(answer["balance"]["used"], 1);
        assert_eq!(app.usage(&b_token, vec![a_event.clone()]).await["results"][0]["reason"], "invalid_event");

        // B reads only B.
        assert_eq!(app.get("/v1/me", &b_token).await.1["team_id"], b);
        let b_rows = app.all_rows(&b_token).await;
        assert_eq!(b_rows.len(), 1);
        assert_ne!(b_rows[0]["id"], a_event["id"]);
        let (_, p) = app.get(&format!("/v1/usage?member={a_member}"), &b_token).await;
        assert_eq!(p["rows"], json!([]));
        let (_, p) = app.get("/v1/usage?job_id=~01abc", &b_token).await;
        assert_eq!(p["rows"], json!([]));
        let members = app.get("/v1/members", &b_token).await.1;
        assert_eq!(members.as_array().unwrap().len(), 1);
        assert_eq!(members[0]["name"], "Eve");
        let insights = app.get("/v1/insights", &b_token).await.1;
        assert_eq!(insights["by_member"].as_array().unwrap().len(), 1);
        assert_eq!(insights["by_member"][0]["name"], "Eve");

        // A is untouched.
        let rows = app.all_rows(&a_token).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["member_id"], a_member);
        assert_eq!(app.balance(&a_token).await["used"], 1);
    })
    .await;
}

#[tokio::test]
async fn rules_are_served_with_an_etag_and_304_when_unchanged() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Taras", Role::Member).await;
        let get = |etag: Option<String>| {
            let mut req = app.http.get(app.url("/v1/rules")).bearer_auth(&token);
            if let Some(e) = etag {
                req = req.header("if-none-match", e);
            }
            req.send()
        };
        let res = get(None).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let shipped: credits_core::recognition::Rules = res.json().await.unwrap();
        assert_eq!(shipped, credits_core::recognition::Rules::shipped());
        let res = get(Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
        assert!(res.bytes().await.unwrap().is_empty());

        // New rules: a new ETag, and the old one no longer matches.
        let mut rules = credits_core::recognition::Rules::shipped();
        rules.version = 2;
        rules.controls[0].names.push("Draft Cover Letter".into());
        let new_etag =
            credits_backend::ops::set_rules(&app.store, &serde_json::to_string(&rules).unwrap(), credits_backend::ops::now()).await.unwrap();
        assert_ne!(new_etag, etag);
        let res = get(Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["etag"].to_str().unwrap(), new_etag);
        assert_eq!(res.json::<credits_core::recognition::Rules>().await.unwrap(), rules);
        assert_eq!(get(Some(new_etag.clone())).await.unwrap().status(), StatusCode::NOT_MODIFIED);

        // Invalid rules are refused and change nothing.
        let mut bad = rules.clone();
        bad.controls.clear();
        let e = credits_backend::ops::set_rules(&app.store, &serde_json::to_string(&bad).unwrap(), credits_backend::ops::now()).await.unwrap_err();
        assert_eq!(e.code(), "invalid_rules");
        let e = credits_backend::ops::set_rules(&app.store, "{\"version\": 1}", credits_backend::ops::now()).await.unwrap_err();
        assert_eq!(e.code(), "invalid_rules");
        assert_eq!(get(Some(new_etag)).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    })
    .await;
}

#[tokio::test]
async fn insights_describe_this_cycle() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Pro, 1).await;
        let (olena_id, olena) = app.member(&team, "Olena", Role::Owner).await;
        let (_, taras) = app.member(&team, "Taras", Role::Member).await;
        // Job Assistant on 3 jobs, a cover letter only on the first; 2 rerolls.
        app.usage(
            &olena,
            vec![
                event_on_job("job_assistant", "~01a1", false),
                event_on_job("job_assistant", "~01a2", false),
                event_on_job("job_assistant", "~01a3", false),
                event_on_job("job_assistant", "~01a4", false),
                event_on_job("cover_letter", "~01a1", false),
                event_on_job("cover_letter", "~01a1", true),
                event_on_job("cover_letter", "~01a1", true),
            ],
        )
        .await;
        app.usage(&taras, (0..12).map(|_| event("job_matching")).chain([event("auto_bid")]).collect()).await;
        let (status, i) = app.get("/v1/insights", &taras).await;
        assert_eq!(status, StatusCode::OK, "{i}");
        assert_eq!(i["by_action"][0], json!({ "action": "job_matching", "label": "Job Matching", "credits": 12 }));
        assert_eq!(i["by_member"][1], json!({ "member_id": olena_id, "name": "Olena", "credits": 7 }));
        assert_eq!(i["regenerations"]["credits"], 2);
        assert_eq!(i["job_assistant_unused"], json!({ "jobs": 3, "credits": 3 }));
        assert_eq!(i["matching"], json!({ "job_matching": 12, "auto_bid": 1 }));
        assert_eq!(i["daily"].as_array().unwrap().last().unwrap()["credits"], 20);
        let advice: Vec<&str> = i["advice"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert!(advice.contains(&"raise_match_threshold") && advice.contains(&"filter_before_opening"), "{advice:?}");
        assert_eq!(i["cycle_start"], app.balance(&olena).await["cycle_start"]);
    })
    .await;
}

#[tokio::test]
async fn every_error_is_json_in_the_api_shape() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let cases = [
            (Method::GET, "/nope", StatusCode::NOT_FOUND, "not_found"),
            (Method::GET, "/v1/usage/123", StatusCode::NOT_FOUND, "not_found"),
            (Method::DELETE, "/v1/me", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (Method::PUT, "/v1/usage", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (Method::GET, "/v1/topups", StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            (Method::GET, "/v1/usage?limit=abc", StatusCode::BAD_REQUEST, "invalid_query"),
            (Method::GET, "/v1/usage?limit=%ZZ", StatusCode::BAD_REQUEST, "invalid_query"),
        ];
        for (method, path, status, code) in cases {
            let res = app.http.request(method.clone(), app.url(path)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), status, "{method} {path}");
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{method} {path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], code, "{method} {path}: {body}");
            assert!(body["error"]["message"].is_string());
        }
    })
    .await;
}

#[tokio::test]
async fn healthz_and_metrics() {
    on_each_engine(async |app: &TestApp| {
        let (status, h) = app.call(Method::GET, "/healthz", None, None).await;
        assert_eq!((status, h), (StatusCode::OK, json!({ "status": "ok" })));
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let first = event("answer");
        app.usage(&token, vec![first.clone(), event("answer"), json!({ "id": "x" })]).await;
        app.usage(&token, vec![first]).await;
        app.get("/nope", &token).await;
        let res = app.http.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        for line in [
            r#"credits_usage_events_total{status="applied",reason=""} 2"#,
            r#"credits_usage_events_total{status="duplicate",reason=""} 1"#,
            r#"credits_usage_events_total{status="rejected",reason="invalid_event"} 1"#,
            r#"credits_http_requests_total{method="POST",route="/v1/usage",status="200"} 2"#,
            r#"credits_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
            r#"credits_http_request_duration_seconds_count{method="POST",route="/v1/usage"} 2"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
    })
    .await;
}
