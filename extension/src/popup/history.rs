//! Usage History: the backend's rows, newest first, with this browser's outbox merged in:
//! events still waiting to sync at the top marked "pending", and events the backend
//! rejected among the rows of their time, marked "rejected" with the reason in words. The
//! action and member filters apply to both.

use credits_core::api::{Bucket, Me, Reason, UsageEvent, UsageRow};
use credits_core::client::RejectedEvent;
use credits_core::job_id::is_job_id;
use credits_core::{Action, PriceTable, Timestamp};

use super::node::Tokens;
use super::text::Text;

/// The filters the user chose (`None`: all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub action: Option<Action>,
    /// A member id.
    pub member: Option<String>,
}

impl Filter {
    fn keeps(&self, action: Action, member_id: Option<&str>) -> bool {
        self.action.is_none_or(|a| a == action) && self.member.as_deref().is_none_or(|m| Some(m) == member_id)
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
    /// The usage row's id (none for outbox events: their UUIDs would cost WASM to format).
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
/// would cost ~8 KB of WASM).
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
        let waiting = pending.iter().rev().filter(|e| filter.keeps(e.action, me_id));
        out.extend(waiting.map(|e| outbox(e, -i64::from(prices.cost(e.action)), Status::Pending)));
    }
    let newest = rows.first().map(|r| r.occurred_at);
    let oldest = rows.last().map(|r| r.occurred_at);
    let on_this_page = |t: Timestamp| (page.first || newest.is_some_and(|n| t <= n)) && (page.last || oldest.is_some_and(|o| t > o));
    let mut refused = rejected.iter().rev().filter(|r| filter.keeps(r.event.action, me_id) && on_this_page(r.event.occurred_at)).peekable();
    // Rows are filtered here too: a cached unfiltered page shown with filters set.
    for r in rows.iter().filter(|r| filter.keeps(r.action, Some(&r.member_id))) {
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

/// The reason a rejected event did not count, as the message key of its words.
pub fn reason_key(reason: Reason) -> &'static str {
    match reason {
        Reason::InsufficientCredits => "reasonInsufficientCredits",
        Reason::UnknownAction => "reasonUnknownAction",
        Reason::InvalidEvent => "reasonInvalidEvent",
        Reason::MemberBudgetExhausted => "reasonMemberBudgetExhausted",
    }
}

/// A job page on Upwork, for ids in Upwork's form only (anything else stays plain text).
pub fn job_link(job_id: &str) -> Option<String> {
    is_job_id(job_id).then(|| format!("https://www.upwork.com/jobs/{job_id}"))
}

/// One `<li>` per entry. Classes name the parts (`when`, `who`, `what`, `regen`, `job`,
/// `bucket`, `credits`, `status`); `data-id` is the row's id, `data-status`
/// `recorded`, `refunded`, `pending` or `rejected`.
pub fn rows(v: &mut Tokens, entries: &[Entry], text: &dyn Text) {
    for e in entries {
        row(v, e, text);
    }
}
fn row(v: &mut Tokens, e: &Entry, text: &dyn Text) {
    let (status, mark) = match e.status {
        Status::Recorded { refunded: true, .. } => ("refunded", Some(text.msg("statusRefunded", &[]))),
        Status::Recorded { .. } => ("recorded", None),
        Status::Pending => ("pending", Some(text.msg("statusPending", &[]))),
        Status::Rejected(r) => ("rejected", Some(text.msg("statusRejected", &[&text.msg(reason_key(r), &[]), r.code()]))),
    };
    let credits = e.credits.to_string();
    v.open("li").class("row").attr("data-status", status);
    if let Some(id) = e.id {
        v.attr("data-id", id);
    }
    v.open("span").class("what").text(e.action.label());
    if e.regenerate {
        v.text(" ").leaf("span", "regen", &text.msg("regenerateMarker", &[]));
    }
    v.close();
    v.open("span").class("credits").attr("aria-label", &text.msg("creditsCell", &[&credits])).text(&credits).close();
    v.open("span").class("meta");
    v.open("time").class("when").attr("datetime", &e.when.to_rfc3339()).text(&text.date_time(e.when)).close();
    if !e.member.is_empty() {
        v.leaf("span", "who", e.member);
    }
    if let Some(job) = e.job_id {
        match job_link(job) {
            Some(href) => v.open("a").class("job").attr("href", &href).attr("target", "_blank").attr("rel", "noopener").text(job).close(),
            None => v.leaf("span", "job", job),
        };
    }
    if let Status::Recorded { bucket, .. } = e.status {
        let key = if bucket == Bucket::Monthly { "bucketMonthly" } else { "bucketExtra" };
        v.open("span").class("bucket").attr("data-bucket", bucket.code()).text(&text.msg(key, &[])).close();
    }
    v.close();
    if let Some(mark) = mark {
        v.leaf("span", "status", &mark);
    }
    v.close();
}

/// The "Show more" button for the next page (none when this was the last).
pub fn more(v: &mut Tokens, next_before: Option<&str>, text: &dyn Text) {
    if let Some(cursor) = next_before {
        v.button("usage", Some(cursor), &text.msg("showMore", &[]));
    }
}

/// The action and member filters: `<select>`s whose change asks for `page:usage`.
pub fn filters(v: &mut Tokens, filter: &Filter, members: &[(&str, &str)], text: &dyn Text) {
    let option = |v: &mut Tokens, value: &str, label: &str, selected: bool| {
        v.open("option").attr("value", value);
        if selected {
            v.attr("selected", "");
        }
        v.text(label).close();
    };
    let select = |v: &mut Tokens, field: &str, label: &str| {
        v.open("select").attr("data-field", field).attr("data-action", "usage").attr("aria-label", label);
    };
    select(v, "action", &text.msg("filterAction", &[]));
    option(v, "", &text.msg("filterAllActions", &[]), filter.action.is_none());
    for a in Action::ALL {
        option(v, a.code(), a.label(), filter.action == Some(a));
    }
    v.close();
    select(v, "member", &text.msg("filterMember", &[]));
    option(v, "", &text.msg("filterAllMembers", &[]), filter.member.is_none());
    for (id, name) in members {
        option(v, id, name, filter.member.as_deref() == Some(*id));
    }
    v.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::node::find;
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
        let answers = Filter { action: Some(Action::Answer), member: None };
        assert_eq!(ids(&merge(&rows, &pending, &[], &answers, page, Some(&me), &prices)), [10, 1]);
        let bo = Filter { action: None, member: Some("m-Bo".into()) };
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
        let mut v = Tokens::default();
        rows(&mut v, &entries, &Catalog::en());
        let view = crate::popup::node::nodes(&v);
        let text = |class| find::texts(&find::by_class(&view, class));
        assert_eq!(text("what"), ["Cover Letter Regenerate", "Answer Regenerate"]);
        assert_eq!(text("regen"), ["Regenerate", "Regenerate"]);
        assert_eq!(text("credits"), ["-1", "0"]);
        assert_eq!(text("bucket"), ["Extra"]);
        assert_eq!(text("who"), ["Bo"], "an outbox event with no known member names nobody");
        assert_eq!(text("when")[0], "Nov 24, 10:05");
        assert_eq!(text("status"), ["rejected: no credits were left (insufficient_credits)"]);
        let links = find::by_tag(&view, "a");
        assert_eq!(links[0].attr("href"), Some("https://www.upwork.com/jobs/~021998744339961847531"));
        assert_eq!(links[0].attr("rel"), Some("noopener"));
        assert_eq!(view[0].attr("data-status"), Some("recorded"));
        assert_eq!(view[1].attr("data-status"), Some("rejected"));
    }

    #[test]
    fn only_upwork_job_ids_become_links() {
        assert_eq!(job_link("~0133110211e88e3a06").as_deref(), Some("https://www.upwork.com/jobs/~0133110211e88e3a06"));
        assert_eq!(job_link("javascript:alert(1)"), None);
        assert_eq!(job_link("~01/../x"), None);
    }

    #[test]
    fn filters_and_more() {
        let t = Catalog::en();
        let f = Filter { action: Some(Action::Answer), member: Some("m-Bo".into()) };
        let mut v = Tokens::default();
        filters(&mut v, &f, &[("m-Ana", "Ana"), ("m-Bo", "Bo")], &t);
        let view = crate::popup::node::nodes(&v);
        let selected: Vec<_> = find::by_tag(&view, "option").into_iter().filter(|o| o.attr("selected").is_some()).map(|o| o.text_content()).collect();
        assert_eq!(selected, ["Answer", "Bo"]);
        assert_eq!(find::by_tag(&view, "option").len(), 1 + 8 + 1 + 2);
        assert_eq!(view[0].attr("aria-label"), Some("Filter by action"));
        let mut v = Tokens::default();
        more(&mut v, None, &t);
        assert!(v.is_empty());
        more(&mut v, Some("abc"), &t);
        assert_eq!(crate::popup::node::nodes(&v)[0].attr("data-value"), Some("abc"));
    }
}
