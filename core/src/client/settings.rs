//! What the user sets on the options page.

use serde::{Deserialize, Serialize};

use crate::refusal::{ErrorCode, Refusal};

/// The options page's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub backend: Option<Backend>,
    /// When set, the badge turns amber at or below this many spendable credits (instead of
    /// the backend's `low`).
    pub low_threshold: Option<u64>,
    /// Hold a Regenerate click until the user confirms it (off by default).
    pub confirm_regenerate: bool,
    /// Show the balance badge on Upwork pages.
    pub show_badge: bool,
    /// Browser notifications at the team's alert lines and the member's budget (once per cycle).
    pub notify: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { backend: None, low_threshold: None, confirm_regenerate: false, show_badge: true, notify: true }
    }
}

/// Where the extension syncs and as whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backend {
    /// `scheme://host[:port]` with no trailing slash.
    pub url: String,
    pub token: String,
}

impl Backend {
    /// Checks what the user typed. HTTPS anywhere; plain HTTP only on loopback (the demo
    /// backend), since the token travels in every request.
    pub fn new(url: &str, token: &str) -> Result<Backend, Refusal> {
        let url = url.trim().trim_end_matches('/');
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad_url(url))?;
        let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if rest.len() != host_port.len() {
            return Err(Refusal::new(ErrorCode::InvalidBackendUrl, "the Backend URL must be an origin, without a path"));
        }
        let host = host_of(host_port).ok_or_else(|| bad_url(url))?;
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(Refusal::new(
                    ErrorCode::InsecureBackendUrl,
                    "plain http is only for a backend on this machine (127.0.0.1 or localhost); use https",
                ));
            }
            _ => return Err(bad_url(url)),
        }
        let token = token.trim();
        if token.is_empty() || token.len() > 256 || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Refusal::new(ErrorCode::InvalidToken, "the API token is empty or has spaces in it"));
        }
        Ok(Backend { url: format!("{}://{}", scheme.to_ascii_lowercase(), host_port.to_ascii_lowercase()), token: token.to_owned() })
    }

    /// The host-permission pattern the browser must grant for this backend.
    pub fn origin_pattern(&self) -> String {
        let (scheme, host_port) = self.url.split_once("://").unwrap_or(("https", &self.url));
        format!("{scheme}://{}/*", host_of(host_port).unwrap_or_default())
    }

    /// Whether the extension's own manifest already covers this backend (loopback).
    pub fn is_loopback(&self) -> bool {
        self.url.split_once("://").and_then(|(_, h)| host_of(h)).is_some_and(|h| is_loopback(&h))
    }
}

fn bad_url(url: &str) -> Refusal {
    Refusal::new(ErrorCode::InvalidBackendUrl, format!("\"{url}\" is not a URL like https://credits.example.com"))
}

/// The host of `host[:port]`, if it is well formed.
fn host_of(host_port: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        (format!("[{h}]"), after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (host_port.to_owned(), None),
        }
    };
    let ok_host = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    let ok_port = port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok());
    (ok_host && ok_port).then(|| host.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}
