//! Alerts that reach people: what the core decided crossed a line is stored, in the charge's
//! own transaction, as webhook deliveries (a transactional outbox); `serve` sends them,
//! signed, and retries on the core's schedule until they are answered 2xx or the window
//! closes. Sent at least once, always with the same id and body.

use std::time::Duration;

use credits_core::Timestamp;
use credits_core::alerts::{self, AlertData, AlertMember, WebhookEvent};
use credits_core::api::Balance;
use credits_core::budget::MemberSpend;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::db::queries::{self, Principal};
use crate::db::{Store, Tx, alerts as db};
use crate::errors::ApiError;
use crate::ops;

/// The header a receiver checks: `t=UNIX_SECONDS,v1=HEX`.
pub const SIGNATURE_HEADER: &str = "Upwex-Signature";
/// How long one attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often `serve` looks for deliveries that are due.
const POLL: Duration = Duration::from_millis(500);

/// `t=UNIX_SECONDS,v1=HEX`: HEX is HMAC-SHA256 with the secret over `t.` followed by the body.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{unix_seconds}.").as_bytes());
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix_seconds},v1={hex}")
}

/// What crossed a line in one batch, as the ledger saw it.
pub struct Crossing<'a> {
    pub who: &'a Principal,
    pub before: &'a Balance,
    pub after: &'a Balance,
    pub extra_paid: bool,
    pub member_before: &'a MemberSpend,
    pub member_after: &'a MemberSpend,
}

/// Inside the charge's transaction: fires what crossed and has not fired this cycle, and
/// stores a delivery for each when the team has a webhook.
pub async fn fire(tx: &mut Tx, c: Crossing<'_>, now: Timestamp) -> sqlx::Result<()> {
    let crossed = alerts::crossed(c.before, c.after, c.extra_paid, c.member_before, c.member_after);
    if crossed.is_empty() {
        return Ok(());
    }
    let (team, member) = (&c.who.team_id, &c.who.member_id);
    let period = c.after.cycle_start;
    let fired = db::fired(tx.conn(), team, period, member).await?;
    let kinds = alerts::to_fire(&crossed, &fired);
    if kinds.is_empty() {
        return Ok(());
    }
    let webhook = db::webhook(tx.conn(), team).await?;
    for kind in kinds {
        db::insert_fired(tx.conn(), team, period, kind, if kind.per_member() { member } else { "" }, now).await?;
        if webhook.is_none() {
            continue;
        }
        let data = AlertData {
            balance: c.after.clone(),
            member: kind.per_member().then(|| AlertMember { member_id: member.clone(), name: c.who.name.clone(), budget: c.member_after.view() }),
        };
        let event = WebhookEvent { id: uuid::Uuid::new_v4().to_string(), kind, team_id: team.clone(), created_at: now, data };
        let body = serde_json::to_string(&event).expect("an alert serializes");
        db::insert_delivery(tx.conn(), &event.id, team, kind, &body, now).await?;
    }
    Ok(())
}

/// `webhook set`: stores the URL with a fresh signing secret and returns the secret.
pub async fn set(store: &Store, team: &str, url: &str, now: Timestamp) -> Result<String, ApiError> {
    let url = alerts::check_webhook_url(url)?;
    let secret = format!("whsec_{}", &crate::auth::new_token()[crate::auth::TOKEN_PREFIX.len()..]);
    let mut tx = store.begin().await?;
    queries::team_name(tx.conn(), team).await?.ok_or_else(|| ops::team_not_found(team))?;
    db::set_webhook(tx.conn(), team, &url, &secret, now).await?;
    tx.commit().await?;
    Ok(secret)
}

/// `webhook clear`: no more deliveries are stored; pending ones fail at their next attempt.
pub async fn clear(store: &Store, team: &str) -> Result<(), ApiError> {
    let mut tx = store.begin().await?;
    queries::team_name(tx.conn(), team).await?.ok_or_else(|| ops::team_not_found(team))?;
    db::clear_webhook(tx.conn(), team).await?;
    tx.commit().await?;
    Ok(())
}

/// `webhook deliveries`: one line per delivery, tab-separated: id, type, attempts, state.
pub async fn list(store: &Store, team: &str) -> Result<Vec<String>, ApiError> {
    let mut read = store.read().await?;
    queries::team_name(read.conn(), team).await?.ok_or_else(|| ops::team_not_found(team))?;
    Ok(db::deliveries(read.conn(), team).await?.into_iter().map(|(id, kind, attempts, state)| format!("{id}\t{kind}\t{attempts}\t{state}")).collect())
}

fn jitter() -> f64 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_or(0.5, |_| f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX))
}

/// Sends every delivery that is due once; returns how many were attempted.
pub async fn deliver_due(store: &Store, http: &reqwest::Client) -> Result<usize, ApiError> {
    let due = {
        let mut read = store.read().await?;
        db::due(read.conn(), ops::now(), 20).await?
    };
    for d in &due {
        let attempts = d.attempts.saturating_add(1);
        let outcome = match &d.target {
            None => Err("the team has no webhook any more".to_owned()),
            Some((url, secret)) => {
                let now = ops::now();
                let sent = http
                    .post(url)
                    .header("content-type", "application/json")
                    .header(SIGNATURE_HEADER, signature(secret, now.timestamp(), &d.body))
                    .body(d.body.clone())
                    .timeout(ATTEMPT_TIMEOUT)
                    .send()
                    .await;
                match sent {
                    Ok(res) if res.status().is_success() => Ok(()),
                    Ok(res) => Err(format!("answered {}", res.status())),
                    Err(e) => Err(format!("not sent: {e}")),
                }
            }
        };
        let mut tx = store.begin().await?;
        match outcome {
            Ok(()) => db::record_attempt(tx.conn(), &d.id, attempts, "delivered", None, None).await?,
            Err(e) => {
                let next = if d.target.is_some() { alerts::next_attempt(d.created_at, attempts, ops::now(), jitter()) } else { None };
                let state = if next.is_some() { "pending" } else { "failed" };
                tracing::info!(delivery = %d.id, attempts, error = %e, "webhook delivery failed");
                db::record_attempt(tx.conn(), &d.id, attempts, state, next, Some(&e)).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(due.len())
}

/// Sends due deliveries forever (spawned by `serve`; stored deliveries survive restarts).
pub async fn run(store: Store) {
    let http = reqwest::Client::builder().connect_timeout(ATTEMPT_TIMEOUT).build().expect("an HTTP client");
    loop {
        match deliver_due(&store, &http).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook deliveries"),
        }
        tokio::time::sleep(POLL).await;
    }
}
