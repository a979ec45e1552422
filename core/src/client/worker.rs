//! The service worker's decisions as a step machine: the worker holds one [`Worker`], feeds
//! it what happened ([`Event`]) with the time and a jitter draw, and only executes the
//! [`Effect`]s it returns (requests, storage writes, broadcasts, timers), feeding each
//! request's outcome back in.
//!
//! A sync is: post the outbox a batch at a time until it is empty, then fetch the balance,
//! then the per-job counts the content scripts asked for, then the rules when due. One sync
//! at a time; a trigger during a sync runs it once more when it ends. The persisted parts
//! (settings, outbox, rules) are saved through [`Effect::Save`]; the rest is this worker
//! life's only, so a worker that dies loses nothing that matters: the outbox has no
//! "in flight" state and a resent batch is answered `duplicate`.

use serde::{Deserialize, Serialize};

use super::directive::directive;
use super::figures::TopUpAttempt;
use super::outbox::{Outbox, SyncErrorKind};
use super::settings::{Backend, Settings};
use super::view::{Described, Problem, View};
use crate::alerts::AlertKind;
use crate::api::{Balance, BalanceView, UsageAnswer, UsageBatch, UsageEvent, UsageRow};
use crate::cycle::Timestamp;
use crate::job_id::job_id_from_url;
use crate::plan::CreditConfig;
use crate::recognition::{Candidate, Rules};

/// The balance is refreshed at worker start when older than this.
pub const STALE_BALANCE_SECS: i64 = 60;
/// Rules are asked for at most this often (unless the backend changed).
pub const RULES_EVERY_SECS: i64 = 3600;
/// A job count that could not be fetched is not asked for again before this.
pub const JOB_RETRY_SECS: i64 = 60;

/// Recognition rules from the backend, with the ETag they came with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRules {
    pub rules: Rules,
    pub etag: Option<String>,
    /// When the backend was last asked (answered 200 or 304).
    #[serde(default, deserialize_with = "crate::rfc3339::optional")]
    pub checked_at: Option<Timestamp>,
}

impl StoredRules {
    pub fn shipped() -> StoredRules {
        StoredRules { rules: Rules::shipped(), etag: None, checked_at: None }
    }
}

/// A persisted key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Settings,
    Outbox,
    Rules,
    /// The popup's cached figures: dropped (they belong to another backend).
    NoFigures,
}

/// A request to the backend.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `POST /v1/usage`.
    PostUsage(UsageBatch),
    /// `GET /v1/balance`.
    Balance,
    /// `GET /v1/usage?job_id=`.
    JobUsage(String),
    /// `GET /v1/rules` with `If-None-Match`.
    Rules { etag: Option<String> },
}

/// A request's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Usage(UsageAnswer),
    Balance(BalanceView),
    JobUsage(Vec<UsageRow>),
    /// New rules and their ETag, or `None` for 304 Not Modified.
    Rules(Option<(Rules, Option<String>)>),
}

/// What the worker must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send `request` to `backend`; feed the outcome back with the same `seq`.
    Fetch { seq: u64, backend: Backend, request: Request },
    /// Write these keys (one write).
    Save(Vec<Stored>),
    /// Every tab and page gets the new view; the toolbar is redrawn.
    Broadcast,
    /// Wake the worker at this moment (a timer, and an alarm in case it dies first).
    RetryAt(Timestamp),
    /// A browser notification (the setting is on; once per cycle, see `Notified`).
    Notify(AlertKind),
    /// For the developer console.
    Warn(String),
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A new worker life, the state just loaded.
    Started,
    /// A click, to be stored before it is acknowledged.
    Click(UsageEvent),
    Answered {
        seq: u64,
        answer: Answer,
    },
    Failed {
        seq: u64,
        kind: SyncErrorKind,
        message: String,
        /// The backend's `Retry-After` (a 429 or a 503), in seconds: no retry before it.
        retry_after_secs: Option<u32>,
    },
    /// The retry timer ([`Effect::RetryAt`]) went off.
    Timer,
    /// The periodic or the retry alarm went off.
    Alarm,
    /// The user asked for a sync ("Sync now", the popup opened): no backoff.
    SyncNow,
    /// The options page saved (checked) settings.
    SettingsSaved(Settings),
    RejectionsSeen,
    /// A balance learnt outside a sync (a top-up's answer) from `backend`.
    BalanceLearnt {
        backend: Backend,
        balance: Balance,
    },
}

/// Where a sync is.
#[derive(Clone, Debug, Default, PartialEq)]
enum Phase {
    #[default]
    Idle,
    Posting,
    Balance,
    Job(String),
    Rules,
}

/// The worker's state: what is persisted, and this worker life's sync.
#[derive(Clone, Debug)]
pub struct Worker {
    pub settings: Settings,
    pub outbox: Outbox,
    pub rules: StoredRules,
    /// Prices and the low-balance percentage (the core's defaults; the backend's balance
    /// carries its own `low`).
    pub config: CreditConfig,
    /// A top-up whose answer was lost (this worker life).
    pub top_up: TopUpAttempt,
    phase: Phase,
    /// The request in flight is `seq`; answers to any other are stale.
    pub(super) seq: u64,
    again: bool,
    retry_at: Option<Timestamp>,
    /// Jobs whose backend count the sync fetches, and those that failed lately.
    wanted: Vec<String>,
    failed_jobs: Vec<(String, Timestamp)>,
}

impl Worker {
    pub fn new(settings: Settings, outbox: Outbox, rules: StoredRules, config: CreditConfig) -> Worker {
        Worker {
            settings,
            outbox,
            rules,
            config,
            top_up: TopUpAttempt::default(),
            phase: Phase::Idle,
            seq: 0,
            again: false,
            retry_at: None,
            wanted: Vec::new(),
            failed_jobs: Vec::new(),
        }
    }

    /// Whether a sync is under way.
    pub fn syncing(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// What every badge shows now.
    pub fn view(&self) -> View {
        View {
            badge: super::BadgeView::new(&self.outbox, &self.settings, &self.config.prices, self.config.low_percent),
            problem: Problem::of(&self.outbox),
            marker: self.rules.rules.container_marker.clone(),
        }
    }

    /// `content:describe`: a directive per candidate (none when it is not a counted control),
    /// with the job id from the page URL. A job whose backend count is unknown is fetched
    /// (the effects), and every tab refreshed once it is.
    pub fn describe(&mut self, url: &str, candidates: &[Candidate], now: Timestamp) -> (Described, Vec<Effect>) {
        let job = job_id_from_url(url);
        let directives: Vec<_> = candidates
            .iter()
            .map(|c| {
                let r = self.rules.rules.recognize(c).ok()?;
                Some(directive(r, job.as_deref(), &self.outbox, &self.settings, &self.config.prices, self.config.low_percent))
            })
            .collect();
        let mut effects = Vec::new();
        if let Some(job) = job.filter(|_| directives.iter().any(Option::is_some)) {
            self.want_job(job, now, &mut effects);
        }
        (Described { directives }, effects)
    }

    /// One step: the new state is `self`; the effects are returned in the order to run them.
    pub fn step(&mut self, event: Event, now: Timestamp, jitter: f64) -> Vec<Effect> {
        let mut fx = Vec::new();
        match event {
            Event::Started => {
                let stale = self.outbox.balance.as_ref().is_none_or(|b| (now - b.at).num_seconds() >= STALE_BALANCE_SECS);
                if self.settings.backend.is_some() && (!self.outbox.pending.is_empty() || stale) {
                    self.trigger(now, &mut fx);
                }
            }
            Event::Click(event) => {
                self.outbox.record(event);
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                self.trigger(now, &mut fx);
            }
            Event::Timer => {
                self.retry_at = None;
                self.trigger(now, &mut fx);
            }
            Event::Alarm => self.trigger(now, &mut fx),
            Event::SyncNow => {
                self.outbox.retry_now();
                self.trigger(now, &mut fx);
            }
            Event::RejectionsSeen => {
                self.outbox.mark_rejections_seen();
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
            }
            Event::BalanceLearnt { backend, balance } => {
                if self.settings.backend.as_ref() == Some(&backend) {
                    self.outbox.learn_balance(balance, now);
                    self.notify(&mut fx);
                    fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                }
            }
            Event::SettingsSaved(settings) => {
                let changed = self.settings.backend != settings.backend;
                self.settings = settings;
                let mut keys = vec![Stored::Settings, Stored::Outbox, Stored::Rules];
                if changed {
                    // What was known or asked of the old backend means nothing; pending
                    // clicks stay and go to the new one. A request out is abandoned.
                    self.outbox.forget_backend();
                    self.rules.etag = None;
                    self.rules.checked_at = None;
                    self.wanted.clear();
                    self.failed_jobs.clear();
                    self.top_up = TopUpAttempt::default();
                    self.phase = Phase::Idle;
                    self.again = false;
                    self.seq += 1;
                    keys.push(Stored::NoFigures);
                }
                fx.extend([Effect::Save(keys), Effect::Broadcast]);
                if changed {
                    self.trigger(now, &mut fx);
                }
            }
            Event::Answered { seq, answer } if seq == self.seq && self.syncing() => self.answered(answer, now, jitter, &mut fx),
            Event::Failed { seq, kind, message, retry_after_secs } if seq == self.seq && self.syncing() => {
                self.failed(kind, message, retry_after_secs, now, jitter, &mut fx)
            }
            Event::Answered { .. } | Event::Failed { .. } => {} // stale: another backend's, or abandoned
        }
        fx
    }

    /// Runs a sync, or once more after the one under way.
    fn trigger(&mut self, now: Timestamp, fx: &mut Vec<Effect>) {
        if self.syncing() {
            self.again = true;
        } else {
            self.begin(now, fx);
        }
    }

    fn begin(&mut self, now: Timestamp, fx: &mut Vec<Effect>) {
        self.again = false;
        if self.settings.backend.is_none() {
            return;
        }
        // In backoff: nothing is tried before the moment the outbox set.
        if self.outbox.next_attempt_at.is_some_and(|t| t > now) {
            self.schedule_retry(fx);
            return;
        }
        self.post_or_balance(now, fx);
    }

    /// Drain: a batch at a time; once empty, the balance.
    fn post_or_balance(&mut self, now: Timestamp, fx: &mut Vec<Effect>) {
        match self.outbox.batch(now) {
            Some(batch) => self.fetch(Phase::Posting, Request::PostUsage(batch), fx),
            None => self.fetch(Phase::Balance, Request::Balance, fx),
        }
    }

    /// After the balance: the wanted job counts, then the rules when due, then done.
    fn after_balance(&mut self, now: Timestamp, fx: &mut Vec<Effect>) {
        if !self.wanted.is_empty() {
            let job = self.wanted.remove(0);
            return self.fetch(Phase::Job(job.clone()), Request::JobUsage(job), fx);
        }
        if self.rules.checked_at.is_none_or(|t| (now - t).num_seconds() >= RULES_EVERY_SECS) {
            let etag = self.rules.etag.clone();
            return self.fetch(Phase::Rules, Request::Rules { etag }, fx);
        }
        self.end(now, fx);
    }

    fn end(&mut self, now: Timestamp, fx: &mut Vec<Effect>) {
        self.phase = Phase::Idle;
        if self.again {
            self.begin(now, fx);
        }
    }

    fn fetch(&mut self, phase: Phase, request: Request, fx: &mut Vec<Effect>) {
        let Some(backend) = self.settings.backend.clone() else { return self.phase = Phase::Idle };
        self.phase = phase;
        self.seq += 1;
        fx.push(Effect::Fetch { seq: self.seq, backend, request });
    }

    fn answered(&mut self, answer: Answer, now: Timestamp, jitter: f64, fx: &mut Vec<Effect>) {
        match (std::mem::take(&mut self.phase), answer) {
            (Phase::Posting, Answer::Usage(a)) => {
                let before = self.outbox.pending.len();
                self.outbox.answered(&a, &self.config.prices, now);
                self.notify(fx);
                if self.outbox.pending.len() == before {
                    // An answer for none of the batch's events: sending it again at once
                    // would loop; back off as after any backend error.
                    return self.failed_as(Phase::Posting, SyncErrorKind::Backend, "unexpected_usage_answer".into(), None, now, jitter, fx);
                }
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                self.post_or_balance(now, fx);
            }
            (Phase::Balance, Answer::Balance(b)) => {
                self.outbox.learn_view(b, now);
                self.notify(fx);
                // The backend answered: no error to show, no backoff to keep.
                self.outbox.retry_now();
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                self.after_balance(now, fx);
            }
            (Phase::Job(job), Answer::JobUsage(rows)) => {
                self.outbox.learn_job(&job, &rows);
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                self.after_balance(now, fx);
            }
            (Phase::Rules, Answer::Rules(new)) => {
                if let Some((rules, etag)) = new {
                    match rules.validate() {
                        Ok(()) => {
                            if rules != self.rules.rules {
                                fx.push(Effect::Broadcast);
                            }
                            self.rules.rules = rules;
                            self.rules.etag = etag;
                        }
                        // The current ones (shipped by default) stay.
                        Err(e) => fx.push(Effect::Warn(format!("the backend's rules are not used: {}", e.message))),
                    }
                }
                self.rules.checked_at = Some(now);
                fx.insert(0, Effect::Save(vec![Stored::Rules]));
                self.end(now, fx);
            }
            // Not the answer this step asked for (the shell's mistake): the sync ends.
            _ => {
                fx.push(Effect::Warn("an answer that does not fit the sync's step".into()));
                self.end(now, fx);
            }
        }
    }

    fn failed(&mut self, kind: SyncErrorKind, message: String, retry_after_secs: Option<u32>, now: Timestamp, jitter: f64, fx: &mut Vec<Effect>) {
        let phase = std::mem::take(&mut self.phase);
        self.failed_as(phase, kind, message, retry_after_secs, now, jitter, fx);
    }

    #[allow(clippy::too_many_arguments)]
    fn failed_as(
        &mut self,
        phase: Phase,
        kind: SyncErrorKind,
        message: String,
        retry_after_secs: Option<u32>,
        now: Timestamp,
        jitter: f64,
        fx: &mut Vec<Effect>,
    ) {
        match phase {
            // Nothing leaves the outbox; the next try waits longer.
            Phase::Posting | Phase::Balance | Phase::Idle => {
                let retry_after = retry_after_secs.map(|s| chrono::Duration::seconds(i64::from(s)));
                self.outbox.failed_after(kind, message, now, jitter, retry_after);
                fx.extend([Effect::Save(vec![Stored::Outbox]), Effect::Broadcast]);
                self.schedule_retry(fx);
                self.end(now, fx);
            }
            Phase::Job(job) => {
                self.failed_jobs.push((job, now));
                self.after_balance(now, fx);
            }
            // Asked again with the next sync.
            Phase::Rules => self.end(now, fx),
        }
    }

    /// The alert lines the balance just learnt is past, not yet notified this cycle.
    fn notify(&mut self, fx: &mut Vec<Effect>) {
        let (Some(known), true) = (&self.outbox.balance, self.settings.notify) else { return };
        fx.extend(self.outbox.notified.due(known).into_iter().map(Effect::Notify));
    }

    fn schedule_retry(&mut self, fx: &mut Vec<Effect>) {
        let Some(at) = self.outbox.due_at().flatten() else { return };
        if self.retry_at != Some(at) {
            self.retry_at = Some(at);
            fx.push(Effect::RetryAt(at));
        }
    }

    /// A page shows a job whose backend count is not known: fetch it with a sync started
    /// now, unless it failed a moment ago.
    fn want_job(&mut self, job: String, now: Timestamp, fx: &mut Vec<Effect>) {
        if self.settings.backend.is_none() || self.outbox.job_cycle.is_none() || self.outbox.knows_job(&job) {
            return;
        }
        self.failed_jobs.retain(|(_, at)| (now - *at).num_seconds() < JOB_RETRY_SECS);
        if self.failed_jobs.iter().any(|(j, _)| *j == job) || self.wanted.contains(&job) || self.phase == Phase::Job(job.clone()) {
            return;
        }
        self.wanted.push(job);
        self.trigger(now, fx);
    }
}
