//! Recognition: deciding which Upwex control a page element is, from rules that are data.
//!
//! The content script describes each candidate control (its accessible-name parts, the
//! Upwex containers it sits in, its neighbours, its state, the page URL) and the core
//! decides. Names match exactly after normalising; no regular expressions.

mod name;
mod rules;

pub use name::{NameParts, normalize};
pub use rules::{ControlRule, Rules};

use serde::{Deserialize, Serialize};

use crate::action::Action;

/// What the content script reports about one candidate control.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Lower-case tag name (`button`, `span`, ...).
    pub tag: String,
    #[serde(default)]
    pub role: Option<String>,
    pub name: NameParts,
    /// `disabled` or `aria-disabled="true"`.
    #[serde(default)]
    pub disabled: bool,
    /// `aria-busy="true"`.
    #[serde(default)]
    pub busy: bool,
    /// The marker text (class, id, data attribute names and values) of each Upwex container
    /// the control sits in, innermost first.
    pub containers: Vec<String>,
    /// The accessible names of the other controls in the innermost container, nearest first.
    #[serde(default)]
    pub neighbours: Vec<NameParts>,
    /// The page URL.
    pub url: String,
}

/// A recognized control: what one click on it costs and records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognized {
    pub action: Action,
    pub regenerate: bool,
}

/// Why a candidate is not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unrecognized {
    /// Neither a `<button>` nor `role="button"`.
    NotAControl,
    /// Not inside an Upwex container (Upwork's own controls, decoys).
    OutsideUpwex,
    /// The page is not one the rules cover.
    OtherPage,
    /// Its name is none of the rules' names.
    UnknownName,
    /// A Regenerate with neither a widget marker nor a recognized neighbour.
    RegenerateWithoutWidget,
    /// `disabled`, `aria-disabled` or `aria-busy`: not clickable work.
    Inactive,
}

impl Rules {
    /// Decides what `candidate` is under these rules.
    pub fn recognize(&self, candidate: &Candidate) -> Result<Recognized, Unrecognized> {
        let is_control =
            candidate.tag.eq_ignore_ascii_case("button") || candidate.role.as_deref().is_some_and(|r| r.trim().eq_ignore_ascii_case("button"));
        if !is_control {
            return Err(Unrecognized::NotAControl);
        }
        if !self.covers_page(&candidate.url) {
            return Err(Unrecognized::OtherPage);
        }
        let containers: Vec<&str> = candidate.containers.iter().map(String::as_str).filter(|m| self.is_container(m)).collect();
        if containers.is_empty() {
            return Err(Unrecognized::OutsideUpwex);
        }
        let name = candidate.name.accessible_name();
        let recognized = if self.is_regenerate_name(&name) {
            let action = self
                .widget_action(containers[0])
                .or_else(|| candidate.neighbours.iter().find_map(|n| self.action_named(&n.accessible_name())))
                .or_else(|| containers[1..].iter().find_map(|m| self.widget_action(m)))
                .ok_or(Unrecognized::RegenerateWithoutWidget)?;
            Recognized { action, regenerate: true }
        } else {
            let action = self.action_named(&name).ok_or(Unrecognized::UnknownName)?;
            Recognized { action, regenerate: false }
        };
        if !self.action_covers_page(recognized.action, &candidate.url) {
            return Err(Unrecognized::OtherPage);
        }
        if candidate.disabled || candidate.busy {
            return Err(Unrecognized::Inactive);
        }
        Ok(recognized)
    }
}

#[cfg(test)]
mod tests;
