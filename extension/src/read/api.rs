//! The backend's answers (SPEC section 3). Fields the extension does not use are left
//! empty (usage rows' `label`, the insights' `by_member`, `job_assistant_unused` and
//! `matching`): the popup shows the core's labels and its own Team Members.

use credits_core::api::{
    ActionCredits, Advice, Balance, Bucket, DailyCredits, Forecast, Insights, JobAssistantUnused, Matching, Me, MemberUsage, Regenerations, Role,
    UsagePage, UsageRow,
};
use credits_core::recognition::{ControlRule, Rules};
use credits_core::{Action, Plan};

use super::{Json, boolean, list, number, optional, string, strings, time, timestamp, whole, whole32};

fn action<J: Json>(v: &J) -> Option<Action> {
    Action::from_code(&string(v, "action")?)
}

/// `GET /v1/me`.
pub fn me<J: Json>(v: &J) -> Option<Me> {
    Some(Me {
        member_id: string(v, "member_id")?,
        name: string(v, "name")?,
        role: Role::from_code(&string(v, "role")?)?,
        team_id: string(v, "team_id")?,
        team_name: string(v, "team_name")?,
    })
}

/// `GET /v1/members`: an array.
pub fn members<J: Json>(v: &J) -> Option<Vec<MemberUsage>> {
    list(v, |m| {
        Some(MemberUsage {
            member_id: string(m, "member_id")?,
            name: string(m, "name")?,
            role: Role::from_code(&string(m, "role")?)?,
            used: whole(m, "used")?,
        })
    })
}

fn row<J: Json>(r: &J) -> Option<UsageRow> {
    Some(UsageRow {
        id: string(r, "id")?,
        action: action(r)?,
        label: String::new(),
        regenerate: boolean(r, "regenerate")?,
        job_id: optional(r, "job_id", J::string)?,
        member_id: string(r, "member_id")?,
        member: string(r, "member")?,
        occurred_at: time(r, "occurred_at")?,
        recorded_at: time(r, "recorded_at")?,
        bucket: Bucket::from_code(&string(r, "bucket")?)?,
        credits: number(r, "credits").filter(|n| n.fract() == 0.0)? as i64,
        refunded: boolean(r, "refunded")?,
    })
}

/// `GET /v1/usage`.
pub fn usage<J: Json>(v: &J) -> Option<UsagePage> {
    Some(UsagePage { rows: list(&v.get("rows"), row)?, next_before: optional(v, "next_before", J::string)? })
}

/// `GET /v1/insights`. An advice code this version does not know is skipped.
pub fn insights<J: Json>(v: &J) -> Option<Insights> {
    let regen = v.get("regenerations");
    let f = v.get("forecast");
    Some(Insights {
        cycle_start: time(v, "cycle_start")?,
        resets_at: optional(v, "resets_at", timestamp)?,
        by_action: list(&v.get("by_action"), |a| Some(ActionCredits { action: action(a)?, label: String::new(), credits: whole(a, "credits")? }))?,
        by_member: Vec::new(),
        regenerations: Regenerations { credits: whole(&regen, "credits")?, share: number(&regen, "share")? },
        job_assistant_unused: JobAssistantUnused { jobs: 0, credits: 0 },
        matching: Matching { job_matching: 0, auto_bid: 0 },
        daily: list(&v.get("daily"), |d| Some(DailyCredits { date: string(d, "date")?, credits: whole(d, "credits")? }))?,
        forecast: Forecast {
            per_day: number(&f, "per_day")?,
            runs_out_at: optional(&f, "runs_out_at", timestamp)?,
            days_before_reset: optional(&f, "days_before_reset", |d| d.number().filter(|n| n.fract() == 0.0).map(|n| n as i64))?,
        },
        advice: v.get("advice").items()?.iter().filter_map(|a| Advice::from_code(&a.string()?)).collect(),
    })
}

/// `GET /v1/balance`, the `balance` of a usage answer, `POST /v1/topups`.
pub fn balance<J: Json>(v: &J) -> Option<Balance> {
    Some(Balance {
        remaining: whole(v, "remaining")?,
        used: whole(v, "used")?,
        total: whole(v, "total")?,
        extra: whole(v, "extra")?,
        spendable: whole(v, "spendable")?,
        resets_at: optional(v, "resets_at", timestamp)?,
        plan: Plan::from_code(&string(v, "plan")?)?,
        seats: whole32(v, "seats")?,
        low: boolean(v, "low")?,
        cycle_start: time(v, "cycle_start")?,
    })
}

/// `GET /v1/rules` (also inside the stored rules).
pub fn rules<J: Json>(v: &J) -> Option<Rules> {
    Some(Rules {
        version: whole32(v, "version")?,
        container_marker: string(v, "container_marker")?,
        url_prefixes: strings(&v.get("url_prefixes"))?,
        controls: list(&v.get("controls"), |c| {
            Some(ControlRule {
                action: action(c)?,
                names: strings(&c.get("names"))?,
                widget_markers: strings(&c.get("widget_markers"))?,
                url_prefixes: optional(c, "url_prefixes", strings)?.unwrap_or_default(),
            })
        })?,
        regenerate_names: strings(&v.get("regenerate_names"))?,
    })
}
