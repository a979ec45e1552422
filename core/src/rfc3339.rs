//! Reading instants with chrono's strict RFC 3339 parser (`DateTime::parse_from_rfc3339`)
//! instead of the relaxed one behind chrono's own `Deserialize` (which goes through its
//! general format parser). Every instant the core reads was written by serde as RFC 3339
//! (the backend's answers, the extension's stored state), so nothing readable is lost;
//! writing is chrono's own. Used as `#[serde(deserialize_with = "...")]`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

fn parse<E: serde::de::Error>(text: &str) -> Result<DateTime<Utc>, E> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|_| E::custom("not an RFC 3339 instant"))
}

pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    parse(&String::deserialize(d)?)
}

/// For `Option` fields; they also need `#[serde(default)]` (a missing field is `None`).
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<String>::deserialize(d)?.map(|s| parse(&s)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct At {
        #[serde(deserialize_with = "instant")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "optional")]
        until: Option<DateTime<Utc>>,
    }

    #[test]
    fn reads_what_serde_writes_and_refuses_what_is_not_rfc_3339() {
        let at: DateTime<Utc> = "2026-12-01T20:15:30.123Z".parse().unwrap();
        let written = At { at, until: Some(at) };
        assert_eq!(serde_json::from_value::<At>(serde_json::to_value(&written).unwrap()).unwrap(), written);
        let missing: At = serde_json::from_str(r#"{"at": "2026-12-01T21:15:30+01:00"}"#).unwrap();
        assert_eq!(missing, At { at: "2026-12-01T20:15:30Z".parse().unwrap(), until: None });
        let null: At = serde_json::from_str(r#"{"at": "2026-12-01T20:15:30Z", "until": null}"#).unwrap();
        assert_eq!(null.until, None);
        for bad in [r#"{"at": "2026-12-01"}"#, r#"{"at": "yesterday"}"#, r#"{"at": 5}"#] {
            assert!(serde_json::from_str::<At>(bad).is_err(), "{bad}");
        }
    }
}
