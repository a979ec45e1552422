//! The Usage History as CSV (`GET /v1/usage.csv`): one header line, then one line per
//! `UsageRow`, in the columns of the JSON row. Fields are quoted per RFC 4180 when they hold
//! a comma, a quote or a line break; a text field a spreadsheet would run as a formula
//! (starting `=`, `+`, `-`, `@`) is prefixed with `'` (member names are typed by people).

use crate::api::UsageRow;

/// The first line, with its line break.
pub const HEADER: &str = "occurred_at,recorded_at,member,member_id,action,regenerate,job_id,bucket,credits,refunded,id\r\n";

/// One row as a CSV line, with its line break.
pub fn line(r: &UsageRow) -> String {
    let at = |t: &crate::Timestamp| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let fields = [
        at(&r.occurred_at),
        at(&r.recorded_at),
        text(&r.member),
        text(&r.member_id),
        r.action.code().to_owned(),
        r.regenerate.to_string(),
        text(r.job_id.as_deref().unwrap_or("")),
        r.bucket.code().to_owned(),
        r.credits.to_string(),
        r.refunded.to_string(),
        text(&r.id),
    ];
    let mut out = fields.join(",");
    out.push_str("\r\n");
    out
}

/// A text field, made safe for a spreadsheet and quoted when needed.
fn text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use crate::api::Bucket;

    fn row(member: &str, job: Option<&str>) -> UsageRow {
        UsageRow {
            id: "00000000-0000-0000-0000-000000000001".into(),
            action: Action::CoverLetter,
            label: "Cover Letter".into(),
            regenerate: true,
            job_id: job.map(Into::into),
            member_id: "m1".into(),
            member: member.into(),
            occurred_at: "2026-11-24T10:00:00Z".parse().unwrap(),
            recorded_at: "2026-11-24T10:00:01.5Z".parse().unwrap(),
            bucket: Bucket::Extra,
            credits: -1,
            refunded: false,
        }
    }

    #[test]
    fn a_line_has_every_column_of_the_header() {
        let l = line(&row("Ana", Some("~021998744339961847531")));
        assert_eq!(
            l,
            "2026-11-24T10:00:00.000Z,2026-11-24T10:00:01.500Z,Ana,m1,cover_letter,true,~021998744339961847531,extra,-1,false,\
             00000000-0000-0000-0000-000000000001\r\n"
        );
        assert_eq!(l.split(',').count(), HEADER.split(',').count());
        assert!(line(&row("Ana", None)).contains(",true,,extra,"));
    }

    #[test]
    fn names_are_quoted_and_never_formulas() {
        assert!(line(&row("Smith, \"Jo\"", None)).contains(",\"Smith, \"\"Jo\"\"\",m1,"));
        assert!(line(&row("=HYPERLINK(1)", None)).contains(",'=HYPERLINK(1),m1,"));
        assert!(line(&row("-2+3", None)).contains(",'-2+3,"));
        assert!(line(&row("two\nlines", None)).contains(",\"two\nlines\","));
    }
}
