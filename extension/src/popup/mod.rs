//! The popup: the credits page in small (SPEC section 4, seed 001), decided here and drawn by
//! `extension/popup.js`.
//!
//! **Where it runs.** In the service worker, not in the popup page: the worker answers the
//! popup's `page:credits` / `page:usage` / `page:top-up` messages with a [`View`], a small
//! tree of allow-listed elements ([`node`]) per named slot of `popup.html`. The page is
//! generic DOM glue and loads no WASM (it opens faster, and the popup adds no second copy
//! of the module to compile). Everything here is pure: the core's data, the outbox, the
//! settings, `now` and a [`text::Text`] (messages, numbers and dates in the user's locale)
//! go in; the view comes out. Unit tests run natively against the real messages.json.
//!
//! | file | job |
//! | --- | --- |
//! | `node.rs` | the view tree and its attribute allow-list |
//! | `text.rs` | the `Text` trait (i18n, numbers, dates), ages, percentages |
//! | `state.rs` | which state: not configured, signed out, unreachable, empty, low, trial, ok |
//! | `cards.rs` | the four stat cards, "Resets DATE", Top Up for owners |
//! | `history.rs` | Usage History: backend rows with pending/rejected outbox events merged, filters, "Show more" |
//! | `members.rs` | Team Members, largest first |
//! | `insights.rs` | breakdown, regenerations, forecast sentence, advice sentences |
//! | `chart.rs` | the daily SVG bar chart's geometry |
//! | `notice.rs` | the state's notice, rejected events until dismissed |
//!
//! Decisions:
//! - Slots, not a whole page: the static structure (headings, card labels, section
//!   landmarks) is in popup.html with `data-i18n` keys, so it costs no WASM; a view fills
//!   the slots (`data-slot`) and sets the root's `data-state` and `data-tone`.
//! - The view is a flat token list built through `&mut` calls ([`node`]), not a tree of
//!   structs: measured, the tree cost ~14 KB more WASM. No `sort` either (~8 KB): the
//!   history is a merge of two ordered lists, the members an insertion sort.
//! - The page never talks to the backend and loads no WASM: the worker owns the token, the
//!   outbox and the balance, and answers with views (`crate::worker::credits`).
//! - The figures are the core's `Outbox::projection` (the backend's last balance less the
//!   pending events); Team Members adds this browser's pending events to its member.
//! - When the backend cannot be reached, the last known figures are shown, each section
//!   with its age ("As of 3 min ago").
//! - A redraw (after a sync) keeps the filters and the chosen pack (`popup.js` sends the
//!   fields with every message) but shows the first page of history again.

pub mod cards;
pub mod chart;
pub mod history;
pub mod insights;
pub mod members;
pub mod node;
pub mod notice;
pub mod state;
pub mod text;

use credits_core::api::{Insights, Me, MemberUsage, UsagePage};
use credits_core::client::{Outbox, Projection, SyncError, Tone};
use credits_core::{Plan, PriceTable, Timestamp};

use history::{Filter, Page};
use node::Tokens;
use state::State;
use text::Text;

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
    pub me: Option<&'a Me>,
    pub members: Option<&'a [MemberUsage]>,
    pub insights: Option<&'a Insights>,
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

/// A reply to the popup: the root's state and tone, and the views of the slots it fills
/// (`=slot` tokens; `+slot` adds to a slot: more history).
#[derive(Debug)]
pub struct View {
    pub state: State,
    pub tone: Tone,
    pub tokens: Tokens,
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

/// The whole popup (`page:credits`): every slot of popup.html but `status` and `version`.
pub fn credits(i: &Input, t: &dyn Text) -> View {
    let state = i.state();
    let figures = state.shows_figures();
    let p = i.projection.filter(|_| figures);
    let mut v = Tokens::default();
    v.slot("notice");
    notice::state(&mut v, state, i.problem, p.map(|p| p.spendable), t);
    notice::rejected(&mut v, &i.outbox.rejected, i.outbox.rejected_unseen, t);
    v.slot("team");
    if let Some(m) = i.me.filter(|_| figures) {
        v.text(&t.msg("teamLine", &[&m.name, &m.team_name]));
    }
    v.slot("resets").text(&cards::resets(p, i.plan, t));
    for (slot, value) in ["remaining", "used", "total", "extra"].into_iter().zip(cards::values(p, t)) {
        v.slot(slot).text(&value);
    }
    v.slot("top-up");
    if figures {
        cards::top_up(&mut v, i.me, i.packs, i.pack, t);
    }
    v.slot("cards-note");
    cards::note(&mut v, p, t);
    for (slot, at) in
        [("age-cards", i.ages.balance), ("age-history", i.ages.usage), ("age-members", i.ages.members), ("age-insights", i.ages.insights)]
    {
        v.slot(slot);
        if let Some(at) = at.filter(|_| state == State::Unreachable) {
            v.text(&t.msg("asOf", &[&text::age(t, at, i.now)]));
        }
    }
    let members = i.members.filter(|_| figures).map(|m| members::sorted(m, i.me, i.pending_credits()));
    let names: Vec<(&str, &str)> = members.iter().flatten().map(|(id, name, _)| (*id, *name)).collect();
    v.slot("filters");
    if figures {
        history::filters(&mut v, i.filter, &names, t);
        history_slots(&mut v, i, true, t);
    } else {
        v.slot("history").slot("more");
    }
    v.slot("members");
    match &members {
        Some(m) if !m.is_empty() => members::list(&mut v, m, i.me, t),
        Some(_) => placeholder(&mut v, "li", "nothingYet", t),
        None if figures => placeholder(&mut v, "li", "notLoaded", t),
        None => {}
    }
    v.slot("insights");
    match i.insights.filter(|_| figures) {
        Some(ins) => insights::section(&mut v, ins, p.map_or(0, |p| p.spendable), t),
        None if figures => placeholder(&mut v, "p", "notLoaded", t),
        None => {}
    }
    View { state, tone: i.tone, tokens: v }
}

/// A page of history (`page:usage`): the first page replaces the list, a later one
/// (`first: false`, asked with a cursor) is added below it; "Show more" is replaced.
pub fn usage(i: &Input, first: bool, t: &dyn Text) -> View {
    let mut v = Tokens::default();
    history_slots(&mut v, i, first, t);
    View { state: i.state(), tone: i.tone, tokens: v }
}

fn history_slots(v: &mut Tokens, i: &Input, first: bool, t: &dyn Text) {
    let usage = i.usage;
    let next = usage.and_then(|u| u.next_before.as_deref());
    let page = Page { first, last: next.is_none() };
    let rows = usage.map_or(&[][..], |u| &u.rows);
    let entries = history::merge(rows, &i.outbox.pending, &i.outbox.rejected, i.filter, page, i.me, i.prices);
    if first {
        v.slot("history")
    } else {
        v.slot_append("history")
    };
    history::rows(v, &entries, t);
    if entries.is_empty() && first {
        placeholder(v, "li", if usage.is_some() { "historyEmpty" } else { "notLoaded" }, t);
    }
    v.slot("more");
    history::more(v, next, t);
}

fn placeholder(v: &mut Tokens, tag: &str, key: &str, t: &dyn Text) {
    v.leaf(tag, "empty", &t.msg(key, &[]));
}

/// The root's `data-tone` (the Credits Remaining card's colour).
pub fn tone_code(tone: Tone) -> &'static str {
    match tone {
        Tone::Green => "green",
        Tone::Amber => "amber",
        Tone::Red => "red",
        Tone::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests;
