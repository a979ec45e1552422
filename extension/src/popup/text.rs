//! Words, numbers and dates for the view. The view builders never read a clock, a locale or
//! the browser: they get a [`Text`]. In the service worker it is `chrome.i18n.getMessage`
//! (`_locales/en/messages.json`) and `Number`/`Date` `toLocale*String` in the browser's
//! locale and time zone (`crate::worker::text`); in unit tests, [`tests::Catalog`] reads the
//! same messages.json.

use credits_core::Timestamp;

pub trait Text {
    /// The message `key` with its `$1`, `$2`... placeholders filled.
    fn msg(&self, key: &str, subs: &[&str]) -> String;
    /// A whole number in the user's locale ("1,000").
    fn number(&self, n: u64) -> String;
    /// A day in the user's time zone ("Nov 28").
    fn date(&self, t: Timestamp) -> String;
    /// A moment in the user's time zone ("Nov 24, 10:32 AM").
    fn date_time(&self, t: Timestamp) -> String;
    /// A UTC calendar day `YYYY-MM-DD` (the insights' daily series), shown as a day.
    fn day(&self, date: &str) -> String;
}

/// "just now", "3 min ago", "2 h ago", "4 days ago": how old a figure is.
pub fn age(text: &dyn Text, at: Timestamp, now: Timestamp) -> String {
    let minutes = (now - at).num_minutes().max(0);
    let n = |v: i64| v.to_string();
    match minutes {
        0 => text.msg("ageNow", &[]),
        1..=59 => text.msg("ageMinutes", &[&n(minutes)]),
        60..=2879 => text.msg("ageHours", &[&n(minutes / 60)]),
        _ => text.msg("ageDays", &[&n(minutes / 1440)]),
    }
}

/// "1 credit" / "12 credits".
pub fn credits(text: &dyn Text, n: u64) -> String {
    if n == 1 { text.msg("creditsOne", &[]) } else { text.msg("creditsMany", &[&text.number(n)]) }
}

/// A whole percentage of `part` in `whole` (0 when `whole` is 0), rounded.
pub fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

#[cfg(test)]
pub mod tests {
    //! A [`Text`] over the real `_locales/en/messages.json`, for unit tests: a missing key
    //! panics, so the tests prove every key the views use exists.
    use super::*;
    use serde_json::Value;

    pub struct Catalog(Value);

    impl Catalog {
        pub fn en() -> Catalog {
            Catalog(serde_json::from_str(include_str!("../../../_locales/en/messages.json")).unwrap())
        }
    }

    impl Text for Catalog {
        fn msg(&self, key: &str, subs: &[&str]) -> String {
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
        fn number(&self, n: u64) -> String {
            let s = n.to_string();
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }
        fn date(&self, t: Timestamp) -> String {
            t.format("%b %-d").to_string()
        }
        fn date_time(&self, t: Timestamp) -> String {
            t.format("%b %-d, %H:%M").to_string()
        }
        fn day(&self, date: &str) -> String {
            let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
            d.format("%b %-d").to_string()
        }
    }

    #[test]
    fn ages_read_naturally() {
        let t = Catalog::en();
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let ago = |mins: i64| age(&t, now - chrono::Duration::minutes(mins), now);
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(3), "3 min ago");
        assert_eq!(ago(125), "2 h ago");
        assert_eq!(ago(3 * 1440 + 5), "3 days ago");
        assert_eq!(age(&t, now + chrono::Duration::minutes(5), now), "just now", "a clock ahead is not negative");
    }

    #[test]
    fn numbers_and_percentages() {
        let t = Catalog::en();
        assert_eq!(t.number(1000), "1,000");
        assert_eq!(t.number(999), "999");
        assert_eq!(credits(&t, 1), "1 credit");
        assert_eq!(credits(&t, 1000), "1,000 credits");
        assert_eq!((percent(1, 3), percent(2, 3), percent(0, 0), percent(5, 5)), (33, 67, 0, 100));
    }
}
