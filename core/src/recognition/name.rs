//! Accessible names, as the rules compare them.

use serde::{Deserialize, Serialize};

/// The parts an element's accessible name comes from, as the content script read them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameParts {
    /// The text of the elements `aria-labelledby` points to.
    #[serde(default)]
    pub labelledby: Option<String>,
    #[serde(default)]
    pub aria_label: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

impl NameParts {
    /// The normalised accessible name: the first non-empty of `aria-labelledby`,
    /// `aria-label`, text and `title` (the order browsers compute names in).
    pub fn accessible_name(&self) -> String {
        [&self.labelledby, &self.aria_label, &self.text, &self.title]
            .into_iter()
            .flatten()
            .map(|s| normalize(s))
            .find(|n| !n.is_empty())
            .unwrap_or_default()
    }
}

/// Normalises a name for comparison: case ignored, whitespace collapsed, and icons, emoji
/// and punctuation dropped (so "Re-generate ✨" reads "regenerate").
///
/// Case is folded for ASCII letters only: Upwork's controls and the Upwex widgets are
/// labelled in English, and full Unicode folding costs the shipped WASM 18 KiB (its
/// tables). Other letters are kept as written, so a rule naming "Générer" matches
/// "générer" but not "GÉNÉRER".
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() {
            space = true;
        }
    }
    out
}
