//! Usage History: the backend's rows, newest first, with this browser's outbox merged in:
//! events still waiting to sync at the top marked "pending", and events the backend
//! rejected among the rows of their time, marked "rejected" with the reason in words. The
//! action and member filters apply to both.

use credits_core::api::{Bucket, Me, Reason, UsageEvent, UsageRow};
use credits_core::client::RejectedEvent;
use credits_core::job_id::is_job_id;
use credits_core::{Action, PriceTable, Timestamp};

use serde::Serialize;

use super::text::{Msg, Sub, msg, msg_with, text};

/// The filters the user chose (`None`: all), as the popup sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    pub action: Option<Action>,
    /// A member id.
    pub member: Option<String>,
    /// A job id (the credits page).
    pub job: Option<String>,
    /// The date range (RFC 3339 instants, `to` excluded; the credits page): passed to the
    /// backend, which filters; the outbox's few events are not filtered by date.
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Filter {
    fn keeps(&self, action: Action, member_id: Option<&str>, job: Option<&str>) -> bool {
        let same = |want: &Option<String>, got: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == got);
        self.action.is_none_or(|a| a == action) && same(&self.member, member_id) && same(&self.job, job)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Recorded { bucket: Bucket, refunded: bool },
    Pending,
    Rejected(Reason),
}

/// One line of the history, whichever side it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The usage row's id (none for outbox events).
    pub id: Option<&'a str>,
    pub when: Timestamp,
    pub member: &'a str,
    pub action: Action,
    pub regenerate: bool,
    pub job_id: Option<&'a str>,
    /// What it took from the team: -1 for a row or a pending click, 0 for a rejected one.
    pub credits: i64,
    pub status: Status,
}

/// Which page of the backend's history `rows` are: the first (newest) and/or the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub first: bool,
    pub last: bool,
}

/// The entries of one page (rows not matching the filter are left out). Pending events
/// (only this browser's, so only the member `me`) go on top of the first page, newest
/// first. A rejected event goes on the page whose rows' time span holds its click time,
/// in time order (the first page takes anything newer, the last anything older). `me`
/// names the member for the outbox's events. No sorting: the outbox keeps its events in
/// click order and the backend's rows come newest first, so a merge is enough (and a sort
/// would add `sort`'s code to the module).
pub fn merge<'a>(
    rows: &'a [UsageRow],
    pending: &'a [UsageEvent],
    rejected: &'a [RejectedEvent],
    filter: &Filter,
    page: Page,
    me: Option<&'a Me>,
    prices: &PriceTable,
) -> Vec<Entry<'a>> {
    let me_id = me.map(|m| m.member_id.as_str());
    let me_name = me.map_or("", |m| m.name.as_str());
    let outbox = |e: &'a UsageEvent, credits: i64, status| Entry {
        id: None,
        when: e.occurred_at,
        member: me_name,
        action: e.action,
        regenerate: e.regenerate,
        job_id: e.job_id.as_deref(),
        credits,
        status,
    };
    let mut out: Vec<Entry> = Vec::new();
    if page.first {
        let waiting = pending.iter().rev().filter(|e| filter.keeps(e.action, me_id, e.job_id.as_deref()));
        out.extend(waiting.map(|e| outbox(e, -i64::from(prices.cost(e.action)), Status::Pending)));
    }
    let newest = rows.first().map(|r| r.occurred_at);
    let oldest = rows.last().map(|r| r.occurred_at);
    let on_this_page = |t: Timestamp| (page.first || newest.is_some_and(|n| t <= n)) && (page.last || oldest.is_some_and(|o| t > o));
    let mut refused = rejected
        .iter()
        .rev()
        .filter(|r| filter.keeps(r.event.action, me_id, r.event.job_id.as_deref()) && on_this_page(r.event.occurred_at))
        .peekable();
    // Rows are filtered here too: a cached unfiltered page shown with filters set.
    for r in rows.iter().filter(|r| filter.keeps(r.action, Some(&r.member_id), r.job_id.as_deref())) {
        while let Some(x) = refused.next_if(|x| x.event.occurred_at > r.occurred_at) {
            out.push(outbox(&x.event, 0, Status::Rejected(x.reason)));
        }
        out.push(Entry {
            id: Some(&r.id),
            when: r.occurred_at,
            member: &r.member,
            action: r.action,
            regenerate: r.regenerate,
            job_id: r.job_id.as_deref(),
            credits: r.credits,
            status: Status::Recorded { bucket: r.bucket, refunded: r.refunded },
        });
    }
    out.extend(refused.map(|x| outbox(&x.event, 0, Status::Rejected(x.reason))));
    out
}

/// Why a rejected event did not count, in words.
pub fn reason(reason: Reason) -> Msg {
    match reason {
        Reason::InsufficientCredits => msg("reasonInsufficientCredits"),
        Reason::UnknownAction => msg("reasonUnknownAction"),
        Reason::InvalidEvent => msg("reasonInvalidEvent"),
        Reason::MemberBudgetExhausted => msg("reasonMemberBudgetExhausted"),
    }
}

/// A job page on Upwork, for ids in Upwork's form only (anything else stays plain text).
pub fn job_link(job_id: &str) -> Option<String> {
    is_job_id(job_id).then(|| format!("https://www.upwork.com/jobs/{job_id}"))
}

/// One line of Usage History as the page draws it (`<template id="row">`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The usage row's id (none for outbox events).
    pub id: Option<String>,
    /// `recorded`, `refunded`, `pending` or `rejected` (`data-status`: the CSS, the tests).
    pub status: &'static str,
    pub label: Msg,
    pub regenerate: bool,
    pub credits: i64,
    /// "-1 credit": the figure's accessible name.
    pub credits_label: Msg,
    pub at: Timestamp,
    pub member: Option<String>,
    pub job_id: Option<String>,
    /// Only for ids in Upwork's form.
    pub job_href: Option<String>,
    pub bucket: Option<Bucket>,
    pub bucket_label: Option<Msg>,
    /// pending, refunded, or rejected with the reason in words.
    pub mark: Option<Msg>,
}

pub fn rows(entries: &[Entry]) -> Vec<Row> {
    entries.iter().map(row).collect()
}

fn row(e: &Entry) -> Row {
    let (status, mark) = match e.status {
        Status::Recorded { refunded: true, .. } => ("refunded", Some(msg("statusRefunded"))),
        Status::Recorded { .. } => ("recorded", None),
        Status::Pending => ("pending", Some(msg("statusPending"))),
        Status::Rejected(r) => ("rejected", Some(msg_with("statusRejected", vec![Sub::Msg(reason(r)), text(r.code())]))),
    };
    let bucket = match e.status {
        Status::Recorded { bucket, .. } => Some(bucket),
        _ => None,
    };
    let figure = vec![Sub::Number(e.credits)];
    Row {
        id: e.id.map(str::to_owned),
        status,
        label: super::text::action(e.action),
        regenerate: e.regenerate,
        credits: e.credits,
        credits_label: if e.credits.abs() == 1 { msg_with("creditsCellOne", figure) } else { msg_with("creditsCell", figure) },
        at: e.when,
        member: (!e.member.is_empty()).then(|| e.member.to_owned()),
        job_id: e.job_id.map(str::to_owned),
        job_href: e.job_id.and_then(job_link),
        bucket,
        bucket_label: bucket.map(|b| if b == Bucket::Monthly { msg("bucketMonthly") } else { msg("bucketExtra") }),
        mark,
    }
}

/// A choice of a filter's `<select>` (`value` "" for all).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: Sub,
    pub selected: bool,
}

/// The action and member filters: `<select>`s whose change asks for `page:usage`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Filters {
    pub actions: Vec<Choice>,
    pub members: Vec<Choice>,
}

pub fn filters(filter: &Filter, members: &[(&str, &str)]) -> Filters {
    let all = |key, selected| Choice { value: String::new(), label: Sub::Msg(msg(key)), selected };
    let mut actions = vec![all("filterAllActions", filter.action.is_none())];
    actions.extend(Action::ALL.iter().map(|&a| Choice {
        value: a.code().to_owned(),
        label: Sub::Msg(super::text::action(a)),
        selected: filter.action == Some(a),
    }));
    let mut people = vec![all("filterAllMembers", filter.member.is_none())];
    people.extend(members.iter().map(|(id, name)| Choice {
        value: (*id).to_owned(),
        label: text(name),
        selected: filter.member.as_deref() == Some(*id),
    }));
    Filters { actions, members: people }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;
    use credits_core::api::Role;

    fn t(s: &str) -> Timestamp {
        format!("2026-11-24T{s}:00Z").parse().unwrap()
    }

    pub fn row(id: u128, at: &str, action: Action, member: &str) -> UsageRow {
        UsageRow {
            id: uuid::Uuid::from_u128(id).to_string(),
            action,
            label: action.label().into(),
            regenerate: false,
            job_id: Some("~021998744339961847531".into()),
            member_id: format!("m-{member}"),
            member: member.into(),
            occurred_at: t(at),
            recorded_at: t(at),
            bucket: Bucket::Monthly,
            credits: -1,
            refunded: false,
        }
    }

    fn event(id: u128, at: &str, action: Action) -> UsageEvent {
        let occurred_at = t(at) + chrono::Duration::seconds(id as i64);
        UsageEvent { id: uuid::Uuid::from_u128(id), action, regenerate: true, job_id: None, occurred_at }
    }

    fn me() -> Me {
        Me { member_id: "m-Ana".into(), name: "Ana".into(), role: Role::Owner, team_id: "t".into(), team_name: "T".into() }
    }

    /// Rows by their id's number; outbox events by the number given to `event()` (their minute).
    fn ids(entries: &[Entry]) -> Vec<u128> {
        entries
            .iter()
            .map(|e| match e.id {
                Some(id) => uuid::Uuid::parse_str(id).unwrap().as_u128(),
                None => outbox_number(e.when),
            })
            .collect()
    }

    // Outbox events in these tests carry their number in the seconds of their time.
    fn outbox_number(t: Timestamp) -> u128 {
        u128::from(chrono::Timelike::second(&t))
    }

    #[test]
    fn pending_on_top_rejected_in_time_order() {
        let rows = [row(1, "10:05", Action::Answer, "Bo"), row(2, "10:03", Action::CoverLetter, "Ana"), row(3, "10:01", Action::Answer, "Ana")];
        let pending = [event(10, "10:06", Action::Answer), event(11, "10:07", Action::CoverLetter)];
        // The outbox keeps both in the order they happened, oldest first.
        let rejected = [
            RejectedEvent { event: event(21, "09:00", Action::Answer), reason: Reason::InsufficientCredits, answered_at: t("09:00") },
            RejectedEvent { event: event(20, "10:02", Action::Answer), reason: Reason::InsufficientCredits, answered_at: t("10:02") },
        ];
        let me = me();
        let prices = PriceTable::default();
        let first = Page { first: true, last: false };
        let all = merge(&rows, &pending, &rejected, &Filter::default(), first, Some(&me), &prices);
        assert_eq!(ids(&all), [11, 10, 1, 2, 20, 3], "the 09:00 rejection belongs to an older page");
        assert_eq!(all[0].status, Status::Pending);
        assert_eq!((all[0].member, all[0].credits), ("Ana", -1));
        assert_eq!((all[4].status, all[4].credits), (Status::Rejected(Reason::InsufficientCredits), 0));
        // The last page takes anything older; a middle page only its span; no pending there.
        let last = merge(&rows, &pending, &rejected, &Filter::default(), Page { first: false, last: true }, Some(&me), &prices);
        assert_eq!(ids(&last), [1, 2, 20, 3, 21]);
        let middle = merge(&rows, &pending, &rejected, &Filter::default(), Page { first: false, last: false }, Some(&me), &prices);
        assert_eq!(ids(&middle), [1, 2, 20, 3]);
    }

    #[test]
    fn filters_apply_to_the_outbox_too() {
        let rows = [row(1, "10:05", Action::Answer, "Bo")];
        let pending = [event(10, "10:06", Action::Answer), event(11, "10:07", Action::CoverLetter)];
        let me = me();
        let prices = PriceTable::default();
        let page = Page { first: true, last: true };
        let answers = Filter { action: Some(Action::Answer), ..Filter::default() };
        assert_eq!(ids(&merge(&rows, &pending, &[], &answers, page, Some(&me), &prices)), [10, 1]);
        let bo = Filter { member: Some("m-Bo".into()), ..Filter::default() };
        assert_eq!(ids(&merge(&rows, &pending, &[], &bo, page, Some(&me), &prices)), [1], "pending clicks are Ana's");
    }

    #[test]
    fn a_row_shows_every_part() {
        let mut r = row(1, "10:05", Action::CoverLetter, "Bo");
        r.regenerate = true;
        r.bucket = Bucket::Extra;
        let rejected = [RejectedEvent { event: event(20, "10:02", Action::Answer), reason: Reason::InsufficientCredits, answered_at: t("10:02") }];
        let entries =
            merge(std::slice::from_ref(&r), &[], &rejected, &Filter::default(), Page { first: true, last: true }, None, &PriceTable::default());
        let t = Catalog::en();
        let view = rows(&entries);
        assert_eq!(
            view.iter().map(|r| (t.say(&r.label), r.regenerate)).collect::<Vec<_>>(),
            [("Cover Letter".to_owned(), true), ("Answer".to_owned(), true)]
        );
        assert_eq!(view.iter().map(|r| r.credits).collect::<Vec<_>>(), [-1, 0]);
        assert_eq!(view.iter().map(|r| t.say(&r.credits_label)).collect::<Vec<_>>(), ["-1 credit", "0 credits"]);
        assert_eq!(view.iter().map(|r| t.say_opt(r.bucket_label.as_ref())).collect::<Vec<_>>(), ["Extra", ""]);
        assert_eq!(view[1].member, None, "an outbox event with no known member names nobody");
        assert_eq!(view[0].member.as_deref(), Some("Bo"));
        assert_eq!(t.say_opt(view[1].mark.as_ref()), "rejected: no credits were left (insufficient_credits)");
        assert_eq!(view[0].job_href.as_deref(), Some("https://www.upwork.com/jobs/~021998744339961847531"));
        assert_eq!((view[0].status, view[1].status), ("recorded", "rejected"));
    }

    #[test]
    fn only_upwork_job_ids_become_links() {
        assert_eq!(job_link("~0133110211e88e3a06").as_deref(), Some("https://www.upwork.com/jobs/~0133110211e88e3a06"));
        assert_eq!(job_link("javascript:alert(1)"), None);
        assert_eq!(job_link("~01/../x"), None);
    }

    #[test]
    fn filters() {
        let t = Catalog::en();
        let f = Filter { action: Some(Action::Answer), member: Some("m-Bo".into()), ..Filter::default() };
        let view = super::filters(&f, &[("m-Ana", "Ana"), ("m-Bo", "Bo")]);
        let say = |c: &Choice| match &c.label {
            Sub::Msg(m) => t.say(m),
            Sub::Text(s) => s.clone(),
            _ => unreachable!(),
        };
        let selected: Vec<_> = view.actions.iter().chain(&view.members).filter(|c| c.selected).map(say).collect();
        assert_eq!(selected, ["Answer", "Bo"]);
        assert_eq!((view.actions.len(), view.members.len()), (1 + 8, 1 + 2));
        assert_eq!(say(&view.actions[0]), "All actions");
    }
}
