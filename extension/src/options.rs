//! The options page's decisions (`extension/options.html`, DOM glue in `options.js`): the
//! form checked with the core's `Backend::new` (its message is shown and nothing changes on
//! error) and the origin the browser must grant first when the backend is not on loopback.
//! The service worker then owns the settings (`page:settings-save`).
//!
//! (A web-sys version of the whole page measured larger than this plus 60 lines of JS.)

use credits_core::client::{Backend, Settings, SyncErrorKind};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{error_reply, object, to_js};
use crate::popup::text::{Msg, Sub, msg, msg_with};

#[derive(Serialize)]
struct Checked {
    settings: Settings,
    /// The host permission to request before saving (`null` for loopback or no backend).
    origin: Option<String>,
}

/// `{settings, origin}` for the form's values, or `{refused}`: a message (`{key, subs}`)
/// the page says with `chrome.i18n`.
pub fn check(backend_url: &str, api_token: &str, low_threshold: &str, confirm_regenerate: bool, show_badge: bool, notify: bool) -> JsValue {
    let reply = match checked(backend_url, api_token, low_threshold, confirm_regenerate, show_badge, notify) {
        Ok(c) => to_js(&c),
        Err(why) => to_js(&why).map(|m| object(&[("refused", m)])),
    };
    reply.unwrap_or_else(|e| error_reply(&crate::js::message(&e)))
}

fn checked(url: &str, token: &str, low: &str, confirm_regenerate: bool, show_badge: bool, notify: bool) -> Result<Checked, Msg> {
    let refused = |detail: Sub| msg_with("optionsNotSaved", vec![detail]);
    let backend = if url.trim().is_empty() && token.trim().is_empty() {
        None // both cleared: connected to no backend
    } else {
        // The core's refusal names what is wrong.
        Some(Backend::new(url, token).map_err(|r| refused(Sub::Text(r.message)))?)
    };
    let low_threshold = match low.trim() {
        "" => None,
        n => Some(n.parse::<u64>().map_err(|_| refused(Sub::Msg(msg_with("optionsLowThresholdInvalid", vec![Sub::Text(n.to_owned())]))))?),
    };
    let origin = backend.as_ref().filter(|b| !b.is_loopback()).map(Backend::origin_pattern);
    Ok(Checked { settings: Settings { backend, low_threshold, confirm_regenerate, show_badge, notify }, origin })
}

/// A failed connection check in the user's words (the technical detail is shown apart,
/// folded, by the page).
pub fn problem(kind: SyncErrorKind) -> Msg {
    msg(match kind {
        SyncErrorKind::Network => "optionsUnreachable",
        SyncErrorKind::Unauthorized => "optionsTokenRefused",
        SyncErrorKind::Backend => "optionsBackendError",
    })
}

/// Save, after the backend was asked who the token belongs to (`GET /v1/me`): whether to
/// keep the new settings, and what to say.
///
/// Decided as a user expects: a token the backend refuses (401) is not saved when it is a
/// new one (a pasted typo must not replace a working token; the previous settings stay in
/// use and the page says so). The same refused token saved again (other options changed)
/// is kept, and the answer says it is refused. A backend that cannot be reached or answers
/// an error does not block Save (it may be down for a while; sync resumes when it answers),
/// but the answer says so instead of a bare "Saved".
pub fn after_check(new_backend: bool, check: Option<SyncErrorKind>) -> (bool, Msg) {
    match check {
        Some(SyncErrorKind::Unauthorized) if new_backend => (false, msg("optionsNotSavedRefused")),
        Some(kind) => (true, msg_with("optionsSavedBut", vec![Sub::Msg(problem(kind))])),
        None => (true, msg("optionsSaved")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::popup::text::tests::Catalog;

    #[test]
    fn save_after_the_connection_check() {
        let t = Catalog::en();
        let said = |new, kind| {
            let (save, m) = after_check(new, kind);
            (save, t.say(&m))
        };
        assert_eq!(said(true, None), (true, "Saved".to_owned()));
        assert_eq!(said(false, None), (true, "Saved".to_owned()));
        let (save, words) = said(true, Some(SyncErrorKind::Unauthorized));
        assert!(!save, "a new token the backend refuses is not saved");
        assert!(words.starts_with("Not saved: the backend refused this API token") && words.contains("previous settings"), "{words}");
        let (save, words) = said(false, Some(SyncErrorKind::Unauthorized));
        assert!(save, "the same token again: the other options are saved");
        assert_eq!(words, format!("Saved, but {}", t.say(&problem(SyncErrorKind::Unauthorized))));
        assert_eq!(
            said(true, Some(SyncErrorKind::Network)).1,
            "Saved, but the backend could not be reached. Check the Backend URL, or try again when it is up."
        );
    }

    #[test]
    fn problems_in_plain_words() {
        let t = Catalog::en();
        for kind in [SyncErrorKind::Network, SyncErrorKind::Unauthorized, SyncErrorKind::Backend] {
            let words = t.say(&problem(kind));
            assert!(!words.contains("401") && !words.contains("fetch") && words.ends_with('.'), "{words}");
        }
        assert!(t.say(&problem(SyncErrorKind::Unauthorized)).contains("Copy it again from your team owner"));
    }
}
