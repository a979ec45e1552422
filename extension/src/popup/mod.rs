//! The popup: the credits page in small (SPEC section 4, seed 001), decided here and drawn by
//! `extension/popup.html` + `popup.js`.
//!
//! **Where it runs.** In the service worker: it answers the popup's `page:credits` /
//! `page:usage` / `page:top-up` with a [`Popup`], a typed view model (numbers, codes, tones
//! and [`text::Msg`]s: message keys with typed substitutions), serialized by serde. The page
//! renders it from the `<template>`s of popup.html with a small script that decides nothing
//! (words from `chrome.i18n`, numbers and dates by `toLocale*String`). Everything here is
//! pure: the core's data, the outbox, the settings and `now` go in; the model comes out. Unit
//! tests run natively and render the words from the real messages.json.
//!
//! | file | job |
//! | --- | --- |
//! | `text.rs` | `Msg`/`Sub` (words as data), ages, percentages |
//! | `state.rs` | which state: not configured, signed out, unreachable, empty, low, trial, ok |
//! | `cards.rs` | the four stat cards, "Resets DATE", Top Up for owners |
//! | `history.rs` | Usage History: backend rows with pending/rejected outbox events merged, filters, "Show more" |
//! | `members.rs` | Team Members, largest first |
//! | `insights.rs` | breakdown, regenerations, forecast sentence, advice sentences |
//! | `plan.rs` | the plan advisor's sentence, for owners |
//! | `chart.rs` | the daily SVG bar chart's geometry |
//! | `notice.rs` | the state's notice, rejected events until dismissed |
//!
//! Decisions:
//! - The page never talks to the backend and loads no WASM: the worker owns the token, the
//!   outbox and the balance (`crate::worker::credits`). Why a view model and not the WASM in
//!   the page: extension/README.md, "The popup".
//! - The figures are the core's `Outbox::projection` (the backend's last balance less the
//!   pending events); Team Members adds this browser's pending events to its member.
//! - When the backend cannot be reached, the last known figures are shown with their age
//!   ("As of 3 min ago"), said once, and again in a section only where it differs.
//! - A redraw (after a sync) keeps the filters and the chosen pack (`popup.js` sends them
//!   with every message) but shows the first page of history again.

pub mod cards;
pub mod chart;
pub mod history;
pub mod insights;
pub mod members;
pub mod notice;
pub mod plan;
pub mod state;
pub mod text;

use credits_core::api::{Insights, Me, MemberRow, PlanAdviceFigures, Role, UsagePage};
use credits_core::client::{Outbox, Projection, SyncError, Tone};
use credits_core::{Plan, PriceTable, Timestamp};

use history::{Filter, Page};
use serde::Serialize;
use state::State;
use text::{Msg, msg, msg_with};

/// What a view builder needs. Borrowed from the worker's state and its page cache.
pub struct Input<'a> {
    /// A backend and token are set.
    pub configured: bool,
    /// The newer of the last sync error and the last page-fetch error ([`state::problem`]).
    pub problem: Option<&'a SyncError>,
    /// The core's badge tone (it applies the user's low-balance option).
    pub tone: Tone,
    pub projection: Option<&'a Projection>,
    pub plan: Option<Plan>,
    pub seats: Option<u32>,
    pub me: Option<&'a Me>,
    pub members: Option<&'a [MemberRow]>,
    pub insights: Option<&'a Insights>,
    /// `GET /v1/insights`' `plan_advice` (shown to owners).
    pub plan_advice: Option<&'a PlanAdviceFigures>,
    /// A page of `GET /v1/usage` (the first, unless `page` says otherwise).
    pub usage: Option<&'a UsagePage>,
    pub outbox: &'a Outbox,
    pub prices: &'a PriceTable,
    pub packs: &'a [u64],
    pub filter: &'a Filter,
    /// The pack chosen before this redraw.
    pub pack: Option<u64>,
    /// When each figure was learnt from the backend.
    pub ages: Ages,
    pub now: Timestamp,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Ages {
    pub balance: Option<Timestamp>,
    pub members: Option<Timestamp>,
    pub insights: Option<Timestamp>,
    pub usage: Option<Timestamp>,
}

/// The popup's view model (`page:credits`): what every part of popup.html shows. A part
/// that is `None` is drawn empty.
#[derive(Debug, Serialize)]
pub struct Popup {
    /// `<main data-state>` (the CSS and the tests read it).
    pub state: State,
    /// `<main data-tone>`: the Credits Remaining card's colour.
    pub tone: Tone,
    pub notice: Option<notice::Notice>,
    pub rejected: Option<notice::Rejected>,
    pub team: Option<Msg>,
    pub resets: Option<Msg>,
    /// "Pro · 3 seats · 750 credits a month".
    pub plan_line: Option<Msg>,
    /// The badge's number, its parts named.
    pub available: Option<Msg>,
    /// "Your budget: 28 of 40 credits left this cycle", where one is set.
    pub budget: Option<Msg>,
    /// None: "–" on every card.
    pub cards: Option<cards::Cards>,
    pub top_up: Option<cards::TopUp>,
    pub cards_note: Option<Msg>,
    pub ages: AgeLines,
    pub filters: Option<history::Filters>,
    pub history: Option<History>,
    pub members: Option<Members>,
    pub insights: Option<InsightsPart>,
    /// The answer to what the user just did (a top-up).
    pub status: Option<Msg>,
    pub version: &'static str,
}

/// "As of 3 min ago", only while the backend cannot be reached: under the cards, and in a
/// section only when its figures are of another age.
#[derive(Debug, Default, Serialize)]
pub struct AgeLines {
    pub cards: Option<Msg>,
    pub history: Option<Msg>,
    pub members: Option<Msg>,
    pub insights: Option<Msg>,
}

/// A page of Usage History: the rows (or a placeholder) and the cursor of "Show more".
#[derive(Debug, Serialize)]
pub struct History {
    pub rows: Vec<history::Row>,
    pub empty: Option<Msg>,
    /// Added below the rows shown (a later page), not in their place.
    pub append: bool,
    pub more: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Members {
    pub rows: Vec<members::Member>,
    pub empty: Option<Msg>,
}

/// The Insights section, or a placeholder.
#[derive(Debug, Serialize)]
pub struct InsightsPart {
    pub section: Option<insights::Section>,
    /// The plan advisor's sentence, for owners.
    pub plan: Option<Msg>,
    pub empty: Option<Msg>,
}

impl Input<'_> {
    pub fn state(&self) -> State {
        let trial = self.plan == Some(Plan::Trial) && self.projection.is_some_and(|p| p.resets_at.is_some());
        state::choose(self.configured, self.problem, self.tone, trial)
    }

    fn pending_credits(&self) -> u64 {
        self.outbox.pending.iter().map(|e| u64::from(self.prices.cost(e.action))).sum()
    }
}

/// The whole popup (`page:credits`).
pub fn credits(i: &Input) -> Popup {
    let state = i.state();
    let figures = state.shows_figures();
    let p = i.projection.filter(|_| figures);
    let age =
        |at: Option<Timestamp>| at.filter(|_| state == State::Unreachable).map(|at| msg_with("asOf", vec![text::Sub::Msg(text::age(at, i.now))]));
    // One line says how old the figures are; a section says its own age only when it differs.
    let cards_age = age(i.ages.balance);
    let other_age = |at| age(at).filter(|m| Some(m) != cards_age.as_ref());
    let members = i.members.filter(|_| figures).map(|m| members::sorted(m, i.me, i.pending_credits()));
    let names: Vec<(&str, &str)> = members.iter().flatten().map(|(m, _)| (m.member_id.as_str(), m.name.as_str())).collect();
    Popup {
        state,
        tone: i.tone,
        notice: notice::state(state, i.problem, p.map(|p| p.spendable)),
        rejected: notice::rejected(&i.outbox.rejected, i.outbox.rejected_unseen),
        team: i.me.filter(|_| figures).map(|m| msg_with("teamLine", vec![text::text(&m.name), text::text(&m.team_name)])),
        resets: cards::resets(p, i.plan),
        plan_line: cards::plan_line(p, i.plan, i.seats),
        available: cards::available(p),
        budget: i.outbox.balance.as_ref().filter(|_| figures).and_then(|b| cards::budget(b.member.as_ref(), i.pending_credits())),
        cards: cards::values(p),
        top_up: if figures { cards::top_up(i.me, i.packs, i.pack, p, state == State::Unreachable) } else { None },
        cards_note: cards::note(p),
        ages: AgeLines {
            history: other_age(i.ages.usage),
            members: other_age(i.ages.members),
            insights: other_age(i.ages.insights),
            cards: cards_age,
        },
        filters: figures.then(|| history::filters(i.filter, &names)),
        history: figures.then(|| history_page(i, true)),
        members: match &members {
            Some(m) if !m.is_empty() => Some(Members { rows: members::list(m, i.me), empty: None }),
            Some(_) => Some(Members { rows: Vec::new(), empty: Some(msg("nothingYet")) }),
            None if figures => Some(Members { rows: Vec::new(), empty: Some(msg("notLoaded")) }),
            None => None,
        },
        insights: match i.insights.filter(|_| figures) {
            Some(ins) => Some(InsightsPart {
                section: Some(insights::section(ins, p.map_or(0, |p| p.spendable), i.ages.insights.unwrap_or(i.now))),
                plan: i.plan_advice.filter(|_| i.me.is_some_and(|m| m.role == Role::Owner)).map(|a| {
                    let early = credits_core::insights::too_early(ins.cycle_start, ins.resets_at, i.ages.insights.unwrap_or(i.now) - ins.cycle_start);
                    plan::advice(a, i.seats.unwrap_or(1), early)
                }),
                empty: None,
            }),
            None if figures => Some(InsightsPart { section: None, plan: None, empty: Some(msg("notLoaded")) }),
            None => None,
        },
        status: None,
        version: crate::VERSION,
    }
}

/// A page of history (`page:usage`): the first page replaces the list, a later one
/// (`first: false`, asked with a cursor) is added below it.
pub fn history_page(i: &Input, first: bool) -> History {
    let usage = i.usage;
    let next = usage.and_then(|u| u.next_before.as_deref());
    let page = Page { first, last: next.is_none() };
    let rows = usage.map_or(&[][..], |u| &u.rows);
    let entries = history::merge(rows, &i.outbox.pending, &i.outbox.rejected, i.filter, page, i.me, i.prices);
    let empty = (entries.is_empty() && first).then(|| msg(if usage.is_some() { "historyEmpty" } else { "notLoaded" }));
    History { rows: history::rows(&entries), empty, append: !first, more: next.map(str::to_owned) }
}

#[cfg(test)]
mod tests;
