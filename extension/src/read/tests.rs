//! The readers against serde's own JSON of every type they read: what the worker stores
//! (written by serde) and what the backend answers (serde too) read back equal.

use super::*;
use credits_core::api::{Balance, Bucket, Insights, Me, MemberUsage, Reason, Role, UsageEvent, UsagePage, UsageRow};
use credits_core::client::{Backend, KnownBalance, Outbox, RejectedEvent, Settings, SyncError, SyncErrorKind};
use credits_core::recognition::Rules;
use credits_core::{Action, Plan};
use serde_json::{Value, json};

use crate::store::StoredRules;

impl Json for Value {
    fn get(&self, key: &str) -> Value {
        self.as_object().and_then(|o| o.get(key)).cloned().unwrap_or(Value::Null)
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn items(&self) -> Option<Vec<Value>> {
        self.as_array().cloned()
    }
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        self.as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

fn ts(s: &str) -> credits_core::Timestamp {
    s.parse().unwrap()
}

fn balance_value() -> Balance {
    Balance {
        remaining: 200,
        used: 60,
        total: 250,
        extra: 10,
        spendable: 210,
        resets_at: Some(ts("2026-12-20T09:00:00Z")),
        plan: Plan::Pro,
        seats: 1,
        low: false,
        cycle_start: ts("2026-11-20T09:00:00Z"),
    }
}

fn event(n: u128, job: Option<&str>) -> UsageEvent {
    UsageEvent {
        id: uuid::Uuid::from_u128(n),
        action: Action::Answer,
        regenerate: n.is_multiple_of(2),
        job_id: job.map(str::to_owned),
        occurred_at: ts("2026-11-24T10:00:00.123Z"),
    }
}

fn full_outbox() -> Outbox {
    let mut o = Outbox { rejected_unseen: 2, failures: 3, next_attempt_at: Some(ts("2026-11-24T10:01:00Z")), ..Outbox::default() };
    o.pending = vec![event(1, Some("~021998744339961847531")), event(2, None)];
    o.rejected = vec![RejectedEvent { event: event(3, None), reason: Reason::InsufficientCredits, answered_at: ts("2026-11-24T10:00:05Z") }];
    o.last_error = Some(SyncError { kind: SyncErrorKind::Unauthorized, message: "401".into(), at: ts("2026-11-24T10:00:06Z") });
    o.balance = Some(KnownBalance { balance: balance_value(), at: ts("2026-11-24T09:59:00Z") });
    o.job_credits.insert("~021998744339961847531".into(), 4);
    o.job_cycle = Some(ts("2026-11-20T09:00:00Z"));
    o
}

#[test]
fn the_stored_state_reads_back() {
    for o in [Outbox::default(), full_outbox()] {
        assert_eq!(outbox(&serde_json::to_value(&o).unwrap()), Some(o));
    }
    for s in [
        Settings::default(),
        Settings {
            backend: Some(Backend { url: "http://127.0.0.1:8787".into(), token: "upx_1".into() }),
            low_threshold: Some(15),
            confirm_regenerate: true,
            show_badge: false,
        },
    ] {
        assert_eq!(settings(&serde_json::to_value(&s).unwrap()), Some(s));
    }
    let r = StoredRules { rules: Rules::shipped(), etag: Some("\"abc\"".into()), checked_at: Some(ts("2026-11-24T10:00:00Z")) };
    let back = stored_rules(&serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!((back.rules, back.etag, back.checked_at), (r.rules, r.etag, r.checked_at));
    assert_eq!(stored_rules(&serde_json::to_value(StoredRules::shipped()).unwrap()).unwrap().rules, Rules::shipped());
}

#[test]
fn defaults_apply_where_serde_would_and_bad_values_are_refused() {
    // `#[serde(default)]`: missing fields.
    assert_eq!(outbox(&json!({})), Some(Outbox::default()));
    assert_eq!(settings(&json!({})), Some(Settings::default()));
    assert_eq!(settings(&json!({"low_threshold": 5})).unwrap().low_threshold, Some(5));
    // A present field of the wrong type refuses the whole value.
    assert_eq!(outbox(&json!({"pending": [{"id": "not-a-uuid", "action": "answer", "occurred_at": "2026-11-24T10:00:00Z"}]})), None);
    assert_eq!(outbox(&json!({"failures": -1})), None);
    assert_eq!(outbox(&json!([])), None);
    assert_eq!(settings(&json!({"show_badge": "yes"})), None);
    assert_eq!(balance(&json!({"remaining": 1})), None);
    // An event's optional fields.
    let e = json!({"id": uuid::Uuid::from_u128(9).to_string(), "action": "cover_letter", "occurred_at": "2026-11-24T10:00:00Z"});
    let o = outbox(&json!({"pending": [e]})).unwrap();
    assert_eq!((o.pending[0].regenerate, o.pending[0].job_id.as_deref()), (false, None));
}

#[test]
fn the_backends_answers_read_back() {
    let b = balance_value();
    assert_eq!(balance(&serde_json::to_value(&b).unwrap()), Some(b.clone()));
    assert_eq!(balance(&serde_json::to_value(Balance { resets_at: None, ..b }).unwrap()).unwrap().resets_at, None);
    let m = Me { member_id: "m".into(), name: "Ana".into(), role: Role::Owner, team_id: "t".into(), team_name: "Acme".into() };
    assert_eq!(me(&serde_json::to_value(&m).unwrap()), Some(m));
    let list = vec![MemberUsage { member_id: "m".into(), name: "Ana".into(), role: Role::Member, used: 7 }];
    assert_eq!(members(&serde_json::to_value(&list).unwrap()), Some(list));
    let row = UsageRow {
        id: "r1".into(),
        action: Action::CoverLetter,
        label: String::new(), // not read: the core's label is shown
        regenerate: true,
        job_id: Some("~0133110211e88e3a06".into()),
        member_id: "m".into(),
        member: "Ana".into(),
        occurred_at: ts("2026-11-24T10:00:00Z"),
        recorded_at: ts("2026-11-24T10:00:01Z"),
        bucket: Bucket::Extra,
        credits: -1,
        refunded: false,
    };
    let page = UsagePage { rows: vec![row.clone(), UsageRow { job_id: None, ..row }], next_before: Some("MTc4".into()) };
    assert_eq!(usage(&serde_json::to_value(&page).unwrap()), Some(page.clone()));
    assert_eq!(usage(&serde_json::to_value(UsagePage { next_before: None, ..page }).unwrap()).unwrap().next_before, None);
    assert_eq!(rules(&serde_json::to_value(Rules::shipped()).unwrap()), Some(Rules::shipped()));
}

#[test]
fn insights_read_back_with_what_the_popup_shows() {
    // The core computes them as the backend does.
    let rows: Vec<UsageRow> = (0..12u32)
        .map(|i| UsageRow {
            id: format!("r{i}"),
            action: if i.is_multiple_of(3) { Action::JobAssistant } else { Action::CoverLetter },
            label: String::new(),
            regenerate: i.is_multiple_of(2),
            job_id: Some(format!("~01{i:04}")),
            member_id: "m".into(),
            member: "Ana".into(),
            occurred_at: ts("2026-11-22T10:00:00Z"),
            recorded_at: ts("2026-11-22T10:00:00Z"),
            bucket: Bucket::Monthly,
            credits: -1,
            refunded: false,
        })
        .collect();
    let ins: Insights = credits_core::insights::insights(&rows, &balance_value(), ts("2026-11-24T12:00:00Z"));
    let back = insights(&serde_json::to_value(&ins).unwrap()).unwrap();
    assert_eq!(back.cycle_start, ins.cycle_start);
    assert_eq!(back.resets_at, ins.resets_at);
    assert_eq!(
        back.by_action.iter().map(|a| (a.action, a.credits)).collect::<Vec<_>>(),
        ins.by_action.iter().map(|a| (a.action, a.credits)).collect::<Vec<_>>()
    );
    assert_eq!(back.regenerations, ins.regenerations);
    assert_eq!(back.daily, ins.daily);
    assert_eq!(back.forecast, ins.forecast);
    assert_eq!(back.advice, ins.advice);
    assert!(!back.advice.is_empty());
    // An advice code a newer backend sends is skipped, not an error.
    let mut v = serde_json::to_value(&ins).unwrap();
    v["advice"] = json!(["fewer_regenerations", "buy_a_bigger_screen"]);
    assert_eq!(insights(&v).unwrap().advice.len(), 1);
}
