//! The recognition rules: data shipped with the extension and served by `GET /v1/rules`, so
//! a change of Upwork's or Upwex's markup is a rules update, not a release.

use serde::{Deserialize, Serialize};

use super::name::normalize;
use crate::action::Action;
use crate::refusal::{ErrorCode, Refusal};

/// Recognition rules (this is also the JSON shape of `GET /v1/rules`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Bumped by whoever edits the rules; informational.
    pub version: u32,
    /// An element is an Upwex container when its class, id or a data attribute's name or
    /// value contains this text (case ignored).
    pub container_marker: String,
    /// Pages the rules cover (URL prefixes).
    pub url_prefixes: Vec<String>,
    /// One rule per action the extension observes.
    pub controls: Vec<ControlRule>,
    /// Names of Regenerate controls; a Regenerate takes its widget's action.
    pub regenerate_names: Vec<String>,
}

/// How one action's controls are named and how its widget is marked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRule {
    pub action: Action,
    /// Accessible names, compared after normalising.
    pub names: Vec<String>,
    /// Text in a container's marker that names this widget (`cover-letter`, ...).
    pub widget_markers: Vec<String>,
    /// Restricts this action to pages with these URL prefixes; empty means every covered page.
    #[serde(default)]
    pub url_prefixes: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Rules {
    /// The rules shipped with the extension (UPWORK.md's names and markers).
    pub fn shipped() -> Rules {
        let rule = |action, names: &[&str], markers: &[&str]| ControlRule {
            action,
            names: strings(names),
            widget_markers: strings(markers),
            url_prefixes: Vec::new(),
        };
        Rules {
            version: 1,
            container_marker: "upwex".into(),
            url_prefixes: strings(&["https://www.upwork.com/"]),
            controls: vec![
                rule(
                    Action::CoverLetter,
                    &["Cover Letter", "Generate Cover Letter", "Write Cover Letter"],
                    &["cover-letter", "cover_letter", "coverletter"],
                ),
                rule(Action::JobAssistant, &["Job Assistant", "Run Job Assistant"], &["job-assistant", "job_assistant", "jobassistant"]),
                rule(Action::Answer, &["Answer", "Answer with AI", "Generate Answer"], &["answer"]),
            ],
            regenerate_names: strings(&["Regenerate", "Re-generate", "Regenerate Cover Letter", "Regenerate Answer"]),
        }
    }

    /// Checks rules from outside (a file, the backend) before they replace the current ones.
    pub fn validate(&self) -> Result<(), Refusal> {
        let bad = |msg: String| Err(Refusal::new(ErrorCode::InvalidRules, msg));
        if self.container_marker.trim().is_empty() {
            return bad("container_marker is empty".into());
        }
        if self.url_prefixes.is_empty() || self.url_prefixes.iter().any(|p| !p.starts_with("https://") && !p.starts_with("http://")) {
            return bad("url_prefixes must list http(s) URL prefixes".into());
        }
        if self.controls.is_empty() {
            return bad("controls is empty".into());
        }
        if self.regenerate_names.iter().all(|n| normalize(n).is_empty()) {
            return bad("regenerate_names has no usable name".into());
        }
        let mut seen: Vec<(String, Option<Action>)> = self.regenerate_names.iter().map(|n| (normalize(n), None)).collect();
        for (i, rule) in self.controls.iter().enumerate() {
            if self.controls[..i].iter().any(|r| r.action == rule.action) {
                return bad(format!("{} has two rules", rule.action));
            }
            if rule.names.is_empty() || rule.widget_markers.iter().any(|m| m.trim().is_empty()) {
                return bad(format!("{}: names must not be empty, nor any widget marker", rule.action));
            }
            for n in &rule.names {
                let n = normalize(n);
                if n.is_empty() {
                    return bad(format!("{}: a name has no letters or digits", rule.action));
                }
                if let Some((_, other)) = seen.iter().find(|(s, _)| *s == n) {
                    let owner = other.map_or("regenerate".to_owned(), |a| a.to_string());
                    return bad(format!("the name \"{n}\" is used by both {owner} and {}", rule.action));
                }
                seen.push((n, Some(rule.action)));
            }
        }
        Ok(())
    }

    pub(super) fn covers_page(&self, url: &str) -> bool {
        self.url_prefixes.iter().any(|p| url.starts_with(p.as_str()))
    }

    pub(super) fn action_covers_page(&self, action: Action, url: &str) -> bool {
        self.controls
            .iter()
            .find(|r| r.action == action)
            .is_none_or(|r| r.url_prefixes.is_empty() || r.url_prefixes.iter().any(|p| url.starts_with(p.as_str())))
    }

    pub(super) fn is_container(&self, marker: &str) -> bool {
        contains_ignore_case(marker, &self.container_marker)
    }

    pub(super) fn is_regenerate_name(&self, name: &str) -> bool {
        !name.is_empty() && self.regenerate_names.iter().any(|n| normalize(n) == name)
    }

    /// The action whose control is called `name` (already normalised).
    pub(super) fn action_named(&self, name: &str) -> Option<Action> {
        if name.is_empty() {
            return None;
        }
        self.controls.iter().find(|r| r.names.iter().any(|n| normalize(n) == name)).map(|r| r.action)
    }

    /// The action a container's marker names, if it names one.
    pub(super) fn widget_action(&self, marker: &str) -> Option<Action> {
        self.controls.iter().find(|r| r.widget_markers.iter().any(|m| contains_ignore_case(marker, m))).map(|r| r.action)
    }
}

/// ASCII case folding, as in [`normalize`].
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    !needle.is_empty() && haystack.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())
}
