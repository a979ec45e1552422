//! Words as data: a [`Msg`] is a key of `_locales/en/messages.json` and its substitutions,
//! each typed ([`Sub`]): text, a number, a day, a moment, a UTC calendar day or another
//! message. The popup page turns them into words with `chrome.i18n.getMessage` and
//! `toLocale*String` in the browser's locale and time zone (`popup.js`, `say`); the view
//! builders only choose keys (plurals included) and never read a clock or a locale. In unit
//! tests [`tests::Catalog`] renders them from the same messages.json.

use credits_core::{Action, Timestamp};
use serde::Serialize;

/// A message: `chrome.i18n.getMessage(key, subs)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Msg {
    pub key: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subs: Vec<Sub>,
}

/// One substitution, formatted by the page.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sub {
    /// As it is (names, codes, labels).
    Text(String),
    /// `Number.prototype.toLocaleString()`: "1,000".
    Number(i64),
    /// A day in the user's time zone: "Nov 28".
    Date(Timestamp),
    /// A moment in the user's time zone: "Nov 24, 10:32 AM".
    Time(Timestamp),
    /// A UTC calendar day `YYYY-MM-DD` (the insights' daily series), shown as that day.
    Day(String),
    Msg(Msg),
}

pub fn msg(key: &'static str) -> Msg {
    Msg { key, subs: Vec::new() }
}

pub fn msg_with(key: &'static str, subs: Vec<Sub>) -> Msg {
    Msg { key, subs }
}

pub fn number(n: u64) -> Sub {
    Sub::Number(n as i64)
}

pub fn text(s: &str) -> Sub {
    Sub::Text(s.to_owned())
}

/// "just now", "3 min ago", "2 h ago", "4 days ago": how old a figure is.
pub fn age(at: Timestamp, now: Timestamp) -> Msg {
    let minutes = (now - at).num_minutes().max(0);
    let n = |v: i64| vec![Sub::Number(v)];
    match minutes {
        0 => msg("ageNow"),
        1..=59 => msg_with("ageMinutes", n(minutes)),
        60..=2879 => msg_with("ageHours", n(minutes / 60)),
        _ => msg_with("ageDays", n(minutes / 1440)),
    }
}

/// An action's label, as the Usage History names it (the same words as `Action::label`,
/// which the backend sends: a unit test keeps them equal).
pub fn action(a: Action) -> Msg {
    match a {
        Action::CoverLetter => msg("actionCoverLetter"),
        Action::JobAssistant => msg("actionJobAssistant"),
        Action::JobMatching => msg("actionJobMatching"),
        Action::AutoBid => msg("actionAutoBid"),
        Action::Answer => msg("actionAnswer"),
        Action::AiImprove => msg("actionAiImprove"),
        Action::AiGenerate => msg("actionAiGenerate"),
        Action::TestTemplate => msg("actionTestTemplate"),
    }
}

/// "1 credit" / "12 credits".
pub fn credits(n: u64) -> Msg {
    if n == 1 { msg("creditsOne") } else { msg_with("creditsMany", vec![number(n)]) }
}

/// A whole percentage of `part` in `whole` (0 when `whole` is 0), rounded.
pub fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

#[cfg(test)]
pub mod tests {
    //! [`Msg`]s rendered from the real `_locales/en/messages.json`, as chrome.i18n and the
    //! page's `toLocale*String` would in en-US (24-hour times, UTC): a missing key panics, so
    //! the tests prove every key the views use exists.
    use super::*;
    use serde_json::Value;

    pub struct Catalog(Value);

    impl Catalog {
        pub fn en() -> Catalog {
            Catalog(serde_json::from_str(include_str!("../../../_locales/en/messages.json")).unwrap())
        }

        /// The words of `m`.
        pub fn say(&self, m: &Msg) -> String {
            let subs: Vec<String> = m.subs.iter().map(|s| self.sub(s)).collect();
            let refs: Vec<&str> = subs.iter().map(String::as_str).collect();
            self.msg(m.key, &refs)
        }

        /// Optional words: "" for none.
        pub fn say_opt(&self, m: Option<&Msg>) -> String {
            m.map(|m| self.say(m)).unwrap_or_default()
        }

        fn sub(&self, s: &Sub) -> String {
            match s {
                Sub::Text(t) => t.clone(),
                Sub::Number(n) => Self::number(*n),
                Sub::Date(t) => t.format("%b %-d").to_string(),
                Sub::Time(t) => t.format("%b %-d, %H:%M").to_string(),
                Sub::Day(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().format("%b %-d").to_string(),
                Sub::Msg(m) => self.say(m),
            }
        }

        pub fn msg(&self, key: &str, subs: &[&str]) -> String {
            let entry = self.0.get(key).unwrap_or_else(|| panic!("messages.json has no {key}"));
            let mut out = entry["message"].as_str().unwrap().to_owned();
            // Named placeholders ($DATE$) -> their content ($1) -> the substitution, as
            // chrome.i18n does.
            if let Some(ph) = entry.get("placeholders").and_then(Value::as_object) {
                for (name, p) in ph {
                    let content = p["content"].as_str().unwrap();
                    let pattern = format!("${}$", name.to_uppercase());
                    assert!(out.contains(&pattern) || out.contains(&format!("${name}$")), "{key}: ${name}$ unused");
                    out = out.replace(&pattern, content).replace(&format!("${name}$"), content);
                }
            }
            for (i, s) in subs.iter().enumerate() {
                out = out.replace(&format!("${}", i + 1), s);
            }
            assert!(!out.contains('$'), "{key}: unfilled placeholder in {out:?} with {subs:?}");
            out
        }

        pub fn number(n: i64) -> String {
            let s = n.unsigned_abs().to_string();
            let mut out = String::from(if n < 0 { "-" } else { "" });
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }
    }

    #[test]
    fn ages_read_naturally() {
        let t = Catalog::en();
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let ago = |mins: i64| t.say(&age(now - chrono::Duration::minutes(mins), now));
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(3), "3 min ago");
        assert_eq!(ago(125), "2 h ago");
        assert_eq!(ago(3 * 1440 + 5), "3 days ago");
        assert_eq!(t.say(&age(now + chrono::Duration::minutes(5), now)), "just now", "a clock ahead is not negative");
    }

    #[test]
    fn action_labels_are_the_cores() {
        let t = Catalog::en();
        for a in Action::ALL {
            assert_eq!(t.say(&action(a)), a.label());
        }
    }

    #[test]
    fn numbers_and_percentages() {
        let t = Catalog::en();
        assert_eq!(Catalog::number(1000), "1,000");
        assert_eq!(Catalog::number(999), "999");
        assert_eq!(Catalog::number(-1), "-1");
        assert_eq!(t.say(&credits(1)), "1 credit");
        assert_eq!(t.say(&credits(1000)), "1,000 credits");
        assert_eq!((percent(1, 3), percent(2, 3), percent(0, 0), percent(5, 5)), (33, 67, 0, 100));
    }
}
