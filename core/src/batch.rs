//! Usage batches: judging each event alone and deciding what the ledger does with it.
//!
//! Idempotency (rule 14): the backend looks up each event id's first outcome and passes it
//! in as a [`Prior`]; an id is applied at most once, and a replay of a rejected id answers
//! its first reason.

use serde::{Deserialize, Serialize};

use crate::api::{Bucket, EventResult, EventStatus, Reason, UsageEvent};
use crate::budget::MemberSpend;
use crate::cycle::Timestamp;
use crate::ledger::Ledger;
use crate::plan::CreditConfig;

/// The most events one batch may carry.
pub const MAX_BATCH_EVENTS: usize = 500;
/// The largest body `POST /v1/usage` reads (1 MiB); larger ones are refused with 413.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;

/// One event of a batch, judged alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judged {
    /// `sent` is the id exactly as the client spelled it (answers echo it; the ledger keys
    /// on the UUID, so spellings of one UUID are one event).
    Valid { event: UsageEvent, sent: String },
    /// An event the ledger cannot accept. `key` is its id when that id is a UUID, so the
    /// rejection can be remembered for replays.
    Invalid { echo: Option<String>, key: Option<uuid::Uuid>, reason: Reason },
}

impl Judged {
    /// A valid event whose id was sent in its canonical spelling.
    pub fn valid(event: UsageEvent) -> Judged {
        Judged::Valid { sent: event.id.to_string(), event }
    }

    /// The id to remember an outcome under, if the event has one.
    pub fn key(&self) -> Option<uuid::Uuid> {
        match self {
            Judged::Valid { event, .. } => Some(event.id),
            Judged::Invalid { key, .. } => *key,
        }
    }

    /// The id echoed in the answer.
    pub fn echo(&self) -> Option<String> {
        match self {
            Judged::Valid { sent, .. } => Some(sent.clone()),
            Judged::Invalid { echo, .. } => echo.clone(),
        }
    }
}

/// What the ledger recorded the first time it saw an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prior {
    Applied,
    Rejected(Reason),
}

/// A charge the backend must store as a usage row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charged {
    pub bucket: Bucket,
    pub credits: u64,
    /// The client's `occurred_at`, never later than `recorded_at`.
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
}

/// The decision for one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Applied(Charged),
    Duplicate,
    /// `remember` is true when this is the id's first outcome and it has an id to keep.
    Rejected {
        reason: Reason,
        remember: bool,
    },
}

impl Verdict {
    /// The answer entry for this verdict.
    pub fn result(&self, judged: &Judged) -> EventResult {
        let (status, reason) = match self {
            Verdict::Applied(_) => (EventStatus::Applied, None),
            Verdict::Duplicate => (EventStatus::Duplicate, None),
            Verdict::Rejected { reason, .. } => (EventStatus::Rejected, Some(*reason)),
        };
        EventResult { id: judged.echo(), status, reason }
    }
}

/// Decides one event against the ledger at `now` (the moment of recording), charging it
/// when it is new, valid, payable by the pool and within the sending member's budget.
pub fn decide(ledger: &mut Ledger, member: &mut MemberSpend, judged: &Judged, prior: Option<Prior>, now: Timestamp, cfg: &CreditConfig) -> Verdict {
    match (prior, judged) {
        (Some(Prior::Applied), _) => Verdict::Duplicate,
        (Some(Prior::Rejected(reason)), _) => Verdict::Rejected { reason, remember: false },
        (None, Judged::Invalid { key, reason, .. }) => Verdict::Rejected { reason: *reason, remember: key.is_some() },
        (None, Judged::Valid { event, .. }) => {
            let credits = u64::from(cfg.prices.cost(event.action));
            if !member.allows(credits) {
                // An empty pool is said first: raising the budget would not help then.
                let reason = if ledger.can_pay(credits, now, cfg) { Reason::MemberBudgetExhausted } else { Reason::InsufficientCredits };
                return Verdict::Rejected { reason, remember: true };
            }
            match ledger.charge(credits, now, cfg) {
                Ok(bucket) => Verdict::Applied({
                    member.charge(credits);
                    Charged { bucket, credits, occurred_at: event.occurred_at.min(now), recorded_at: now }
                }),
                Err(reason) => Verdict::Rejected { reason, remember: true },
            }
        }
    }
}

/// Decides a whole batch in order. `prior` answers each id's first outcome; ids are unique
/// within a batch (checked when it was judged).
pub fn decide_batch(
    ledger: &mut Ledger,
    member: &mut MemberSpend,
    events: &[Judged],
    mut prior: impl FnMut(&uuid::Uuid) -> Option<Prior>,
    now: Timestamp,
    cfg: &CreditConfig,
) -> Vec<Verdict> {
    events.iter().map(|e| decide(ledger, member, e, e.key().as_ref().and_then(&mut prior), now, cfg)).collect()
}

#[cfg(feature = "json")]
pub use self::json::{judge_batch, judge_event};

#[cfg(feature = "json")]
mod json {
    use super::*;
    use crate::action::Action;
    use crate::job_id::is_job_id;
    use crate::refusal::{ErrorCode, Refusal};
    use serde_json::Value;

    /// Judges a `POST /v1/usage` body. The whole body is refused only when it is not a batch
    /// at all (not JSON, no `events` array, empty, too many events, an id twice); otherwise
    /// each event is judged alone so one bad event never jams a client's outbox.
    pub fn judge_batch(body: &[u8]) -> Result<Vec<Judged>, Refusal> {
        if body.len() > MAX_BATCH_BYTES {
            return Err(Refusal::new(ErrorCode::BodyTooLarge, format!("a batch body is at most {MAX_BATCH_BYTES} bytes")));
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| Refusal::new(ErrorCode::InvalidJson, format!("the body is not JSON: {e}")))?;
        let events = value
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| Refusal::new(ErrorCode::InvalidBatch, "the body must be an object with an \"events\" array"))?;
        if events.is_empty() {
            return Err(Refusal::new(ErrorCode::EmptyBatch, "\"events\" is empty"));
        }
        if events.len() > MAX_BATCH_EVENTS {
            return Err(Refusal::new(ErrorCode::TooManyEvents, format!("a batch holds at most {MAX_BATCH_EVENTS} events, got {}", events.len())));
        }
        let judged: Vec<Judged> = events.iter().map(judge_event).collect();
        let mut seen = std::collections::HashSet::new();
        for j in &judged {
            let same = j.key().map(|k| k.to_string()).or_else(|| j.echo());
            if let Some(id) = same
                && !seen.insert(id.clone())
            {
                return Err(Refusal::new(ErrorCode::DuplicateId, format!("the id {id} appears twice in the batch")));
            }
        }
        Ok(judged)
    }

    /// Judges one event: an id that is not a UUID or a field of the wrong type is
    /// `invalid_event`, an action we do not know is `unknown_action`.
    pub fn judge_event(value: &Value) -> Judged {
        let echo = value.get("id").and_then(Value::as_str).map(str::to_owned);
        let key = echo.as_deref().and_then(|s| uuid::Uuid::try_parse(s).ok());
        let invalid = |reason| Judged::Invalid { echo: echo.clone(), key, reason };
        let (Some(obj), Some(id)) = (value.as_object(), key) else {
            return invalid(Reason::InvalidEvent);
        };
        let action = match obj.get("action") {
            Some(Value::String(code)) => match Action::from_code(code) {
                Some(a) => a,
                None => return invalid(Reason::UnknownAction),
            },
            _ => return invalid(Reason::InvalidEvent),
        };
        let regenerate = match obj.get("regenerate") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return invalid(Reason::InvalidEvent),
        };
        let job_id = match obj.get("job_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if is_job_id(s) => Some(s.clone()),
            Some(_) => return invalid(Reason::InvalidEvent),
        };
        let occurred_at = match obj.get("occurred_at").and_then(Value::as_str).map(chrono::DateTime::parse_from_rfc3339) {
            Some(Ok(t)) => t.with_timezone(&chrono::Utc),
            _ => return invalid(Reason::InvalidEvent),
        };
        Judged::Valid { event: UsageEvent { id, action, regenerate, job_id, occurred_at }, sent: echo.unwrap_or_default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use chrono::{DateTime, Duration, Utc};
    use std::collections::HashMap;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn event(n: u128, at: Timestamp) -> Judged {
        Judged::valid(UsageEvent {
            id: uuid::Uuid::from_u128(n),
            action: crate::Action::CoverLetter,
            regenerate: false,
            job_id: None,
            occurred_at: at,
        })
    }

    /// A tiny in-memory stand-in for the backend's id table, to exercise replays.
    fn run(ledger: &mut Ledger, seen: &mut HashMap<uuid::Uuid, Prior>, events: &[Judged], now: Timestamp, cfg: &CreditConfig) -> Vec<Verdict> {
        let verdicts = decide_batch(ledger, &mut MemberSpend::default(), events, |id| seen.get(id).copied(), now, cfg);
        for (e, v) in events.iter().zip(&verdicts) {
            match v {
                Verdict::Applied(_) => {
                    seen.insert(e.key().unwrap(), Prior::Applied);
                }
                Verdict::Rejected { reason, remember: true } => {
                    seen.insert(e.key().unwrap(), Prior::Rejected(*reason));
                }
                _ => {}
            }
        }
        verdicts
    }

    #[test]
    fn a_replayed_applied_id_is_duplicate_and_a_rejected_one_keeps_its_first_reason() {
        let cfg = CreditConfig { lite_per_seat: 1, ..CreditConfig::default() };
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
        let mut seen = HashMap::new();
        let v = run(&mut l, &mut seen, &[event(1, now), event(2, now)], now, &cfg);
        assert!(matches!(v[0], Verdict::Applied(_)));
        assert_eq!(v[1], Verdict::Rejected { reason: Reason::InsufficientCredits, remember: true });
        // Credits arrive; a replay of id 2 still answers its first reason, charging nothing.
        l.top_up(10, &cfg).unwrap();
        let v = run(&mut l, &mut seen, &[event(1, now), event(2, now)], now, &cfg);
        assert_eq!(v, vec![Verdict::Duplicate, Verdict::Rejected { reason: Reason::InsufficientCredits, remember: false }]);
        assert_eq!(l.balance(now, &cfg).used, 1);
        assert_eq!(l.extra, 10);
    }

    #[test]
    fn a_future_occurred_at_is_stored_as_the_recording_time() {
        let cfg = CreditConfig::default();
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Pro, 1, None, now, &cfg).unwrap();
        let past = now - Duration::hours(3);
        let v = decide_batch(&mut l, &mut MemberSpend::default(), &[event(1, now + Duration::days(400)), event(2, past)], |_| None, now, &cfg);
        let Verdict::Applied(a) = &v[0] else { panic!() };
        assert_eq!((a.occurred_at, a.recorded_at), (now, now));
        let Verdict::Applied(b) = &v[1] else { panic!() };
        assert_eq!(b.occurred_at, past);
    }

    #[test]
    fn a_member_budget_caps_charges_inside_a_full_pool() {
        let cfg = CreditConfig::default();
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Pro, 1, None, now, &cfg).unwrap();
        let mut member = MemberSpend { used: 0, budget: Some(2) };
        let events: Vec<_> = (1..=4).map(|n| event(n, now)).collect();
        let v = decide_batch(&mut l, &mut member, &events, |_| None, now, &cfg);
        assert!(matches!(v[0], Verdict::Applied(_)) && matches!(v[1], Verdict::Applied(_)));
        let over = Verdict::Rejected { reason: Reason::MemberBudgetExhausted, remember: true };
        assert_eq!(v[2..], [over.clone(), over]);
        assert_eq!((member.used, l.balance(now, &cfg).used), (2, 2), "nothing charged past the budget");
    }

    #[test]
    fn an_empty_pool_is_said_before_the_budget() {
        let cfg = CreditConfig { lite_per_seat: 1, ..CreditConfig::default() };
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Lite, 1, None, now, &cfg).unwrap();
        let mut member = MemberSpend { used: 0, budget: Some(1) };
        let v = decide_batch(&mut l, &mut member, &[event(1, now), event(2, now)], |_| None, now, &cfg);
        assert!(matches!(v[0], Verdict::Applied(_)));
        assert_eq!(v[1], Verdict::Rejected { reason: Reason::InsufficientCredits, remember: true });
        // A budget never adds credits: with budget left and the pool empty, still refused.
        let mut roomy = MemberSpend { used: 0, budget: Some(100) };
        assert_eq!(
            decide_batch(&mut l, &mut roomy, &[event(3, now)], |_| None, now, &cfg)[0],
            Verdict::Rejected { reason: Reason::InsufficientCredits, remember: true }
        );
        assert_eq!(roomy.used, 0);
    }

    #[test]
    fn replays_answer_the_first_budget_rejection() {
        let cfg = CreditConfig::default();
        let now = t("2026-11-06T00:00:00Z");
        let mut l = Ledger::new(Plan::Pro, 1, None, now, &cfg).unwrap();
        let mut member = MemberSpend { used: 5, budget: Some(5) };
        let prior = Some(Prior::Rejected(Reason::MemberBudgetExhausted));
        member.budget = None; // raised since: the replay still answers its first reason
        assert_eq!(
            decide(&mut l, &mut member, &event(1, now), prior, now, &cfg),
            Verdict::Rejected { reason: Reason::MemberBudgetExhausted, remember: false }
        );
        assert_eq!(l.balance(now, &cfg).used, 0);
    }

    #[cfg(feature = "json")]
    mod json {
        use super::*;
        use crate::refusal::Refusal;

        const ID1: &str = "0b7a1c52-3f7e-4c8e-9d5e-2a4b6c8d0e1f";
        const ID2: &str = "1c8b2d63-4a8f-4d9f-8e6f-3b5c7d9e1f20";

        fn code(r: Result<Vec<Judged>, Refusal>) -> &'static str {
            r.unwrap_err().code.code()
        }

        #[test]
        fn bodies_that_are_not_batches_are_refused_whole() {
            assert_eq!(code(judge_batch(b"not json")), "invalid_json");
            assert_eq!(code(judge_batch(b"[]")), "invalid_batch");
            assert_eq!(code(judge_batch(br#"{"events": {}}"#)), "invalid_batch");
            assert_eq!(code(judge_batch(br#"{"events": []}"#)), "empty_batch");
            let many = format!("{{\"events\": [{}]}}", vec!["{}"; 501].join(","));
            assert_eq!(code(judge_batch(many.as_bytes())), "too_many_events");
            let twice = format!(r#"{{"events": [{{"id": "{ID1}"}}, {{"id": "{}"}}]}}"#, ID1.to_uppercase());
            assert_eq!(code(judge_batch(twice.as_bytes())), "duplicate_id");
            let huge = vec![b' '; MAX_BATCH_BYTES + 1];
            assert_eq!(code(judge_batch(&huge)), "body_too_large");
        }

        #[test]
        fn each_event_is_judged_alone() {
            let body = format!(
                r#"{{"events": [
                {{"id": "{ID1}", "action": "cover_letter", "regenerate": true, "job_id": "~021998744339961847531", "occurred_at": "2026-11-06T10:00:00Z"}},
                {{"id": "{ID2}", "action": "check_fit", "occurred_at": "2026-11-06T10:00:00Z"}},
                {{"id": "not-a-uuid", "action": "answer", "occurred_at": "2026-11-06T10:00:00Z"}},
                {{"id": 7, "action": "answer"}},
                {{"id": "2d9c3e74-5b9a-4eaf-9f70-4c6d8eaf2031", "action": "answer", "regenerate": "yes", "occurred_at": "2026-11-06T10:00:00Z"}},
                {{"id": "3eac4f85-6cab-4fb0-8a81-5d7e9fb03142", "action": "answer", "occurred_at": "yesterday"}},
                {{"id": "4fbd5096-7dbc-4ac1-9b92-6e8fa0c14253", "action": "answer", "job_id": "<script>", "occurred_at": "2026-11-06T10:00:00Z"}},
                "just a string"
            ]}}"#
            );
            let judged = judge_batch(body.as_bytes()).unwrap();
            let Judged::Valid { event: e, .. } = &judged[0] else { panic!("{:?}", judged[0]) };
            assert!(e.regenerate);
            assert_eq!(e.job_id.as_deref(), Some("~021998744339961847531"));
            let reasons: Vec<_> = judged[1..]
                .iter()
                .map(|j| match j {
                    Judged::Invalid { reason, .. } => *reason,
                    _ => panic!("{j:?}"),
                })
                .collect();
            use Reason::*;
            assert_eq!(reasons, [UnknownAction, InvalidEvent, InvalidEvent, InvalidEvent, InvalidEvent, InvalidEvent, InvalidEvent]);
            assert_eq!(judged[2].echo().as_deref(), Some("not-a-uuid"));
            assert_eq!(judged[2].key(), None);
            assert_eq!(judged[3].echo(), None);
            assert!(judged[1].key().is_some(), "an unknown action with a UUID is remembered");
        }

        #[test]
        fn a_valid_id_is_echoed_as_sent_and_keyed_as_its_uuid() {
            let upper = ID1.to_uppercase();
            let braced = format!("{{{ID2}}}");
            let body = format!(
                r#"{{"events": [{{"id": "{upper}", "action": "answer", "occurred_at": "2026-11-06T10:00:00Z"}}, {{"id": "{braced}", "action": "nope"}}]}}"#
            );
            let judged = judge_batch(body.as_bytes()).unwrap();
            assert_eq!(judged[0].echo().as_deref(), Some(upper.as_str()));
            assert_eq!(judged[0].key(), Some(uuid::Uuid::parse_str(ID1).unwrap()));
            assert_eq!(Verdict::Duplicate.result(&judged[0]).id.as_deref(), Some(upper.as_str()));
            assert_eq!(judged[1].echo().as_deref(), Some(braced.as_str()));
            assert_eq!(judged[1].key(), Some(uuid::Uuid::parse_str(ID2).unwrap()));
        }

        #[test]
        fn regenerate_defaults_to_false_and_unknown_fields_are_ignored() {
            let body = format!(r#"{{"events": [{{"id": "{ID1}", "action": "auto_bid", "occurred_at": "2026-11-06T10:00:00+02:00", "extra": 1}}]}}"#);
            let Judged::Valid { event: e, .. } = &judge_batch(body.as_bytes()).unwrap()[0] else { panic!() };
            assert!(!e.regenerate);
            assert_eq!(e.occurred_at, t("2026-11-06T08:00:00Z"));
        }
    }
}
