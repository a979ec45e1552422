//! Every word a user reads comes from `_locales/en/messages.json`: each message key used in
//! the sources exists there, and each key there is used somewhere. The sources are scanned
//! as text: the Rust of the extension and the core, the extension's JS (content script,
//! pages, worker loader) and HTML, and manifest.json.
//!
//! A key is *used* where it is passed as a literal to `msg(`/`msg_with(` (Rust,
//! `src/popup/text.rs`), to `getMessage(`, the options page's `words(` or the content script's `msg(` (JS), in
//! `data-i18n`/`data-i18n-label` (HTML) or as `__MSG_key__` (manifest). A key counts as
//! *referenced* when it appears as a quoted literal anywhere in those files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The files scanned, with their text.
fn sources() -> Vec<(PathBuf, String)> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["extension/src", "core/src"] {
        walk(&root.join(dir), &mut files);
    }
    for entry in std::fs::read_dir(root.join("extension")).unwrap() {
        let path = entry.unwrap().path();
        if matches!(path.extension().and_then(|e| e.to_str()), Some("js" | "html")) {
            files.push(path);
        }
    }
    files.push(root.join("manifest.json"));
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The quoted literals that directly follow `prefix` (`'x'`, `"x"` or `` `x` ``).
fn literals_after(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        let rest = &text[i + prefix.len()..];
        let Some(quote) = rest.chars().next().filter(|c| matches!(c, '\'' | '"' | '`')) else { continue };
        if let Some(end) = rest[1..].find(quote) {
            out.push(rest[1..1 + end].to_owned());
        }
    }
    out
}

fn keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("_locales/en/messages.json")).unwrap();
    let messages: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    messages.keys().cloned().collect()
}

/// Every key a source uses, with the file it is in.
fn used() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (path, text) in sources() {
        let prefixes: &[&str] = match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => &["msg(", "msg_with("],
            Some("js") => &["getMessage(", "words(", "msg("],
            Some("html") => &["data-i18n=", "data-i18n-label="],
            _ => &[],
        };
        for prefix in prefixes {
            out.extend(literals_after(&text, prefix).into_iter().map(|k| (k, path.clone())));
        }
        for (i, _) in text.match_indices("__MSG_") {
            let rest = &text[i + 6..];
            if let Some(end) = rest.find("__") {
                out.push((rest[..end].to_owned(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_key_used_exists() {
    let keys = keys();
    let used = used();
    assert!(used.len() > 100, "the scan finds the keys ({} found)", used.len());
    let missing: Vec<_> = used.iter().filter(|(k, _)| !keys.contains(k)).map(|(k, p)| format!("{k} ({})", p.display())).collect();
    assert!(missing.is_empty(), "keys used but not in messages.json: {missing:?}");
}

#[test]
fn every_key_in_messages_json_is_used() {
    let sources = sources();
    let referenced = |key: &str| {
        sources
            .iter()
            .any(|(_, text)| ['\'', '"', '`'].iter().any(|q| text.contains(&format!("{q}{key}{q}"))) || text.contains(&format!("__MSG_{key}__")))
    };
    let unused: Vec<_> = keys().into_iter().filter(|k| !referenced(k)).collect();
    assert!(unused.is_empty(), "keys in messages.json that no source uses: {unused:?}");
}

#[test]
fn the_scan_sees_what_it_should() {
    assert_eq!(literals_after(r#"msg("a") msg_with('b', x) msg(x) data-i18n="c""#, "msg("), ["a"]);
    assert_eq!(literals_after("getMessage(`k`, [])", "getMessage("), ["k"]);
    let used: BTreeSet<String> = used().into_iter().map(|(k, _)| k).collect();
    for key in ["extName", "cardRemaining", "optionsSave", "optionsConnected", "reasonInvalidEvent", "chartLabelOneDay"] {
        assert!(used.contains(key), "{key} is not found by the scan");
    }
}

/// The content script's words come with the worker's hello answer, for the keys in its
/// `WORDS` list (content.js, `msg`); a key it uses but does not list would cost the page a
/// wait for the browser's messages. Every key quoted in content.js is listed.
#[test]
fn the_content_script_lists_every_key_it_says() {
    let text = std::fs::read_to_string(root().join("extension/content.js")).unwrap();
    let start = text.find("const WORDS = [").expect("content.js has its WORDS list");
    let list = &text[start..start + text[start..].find("];").unwrap()];
    let listed: BTreeSet<String> = list.split('\'').skip(1).step_by(2).map(str::to_owned).collect();
    assert!(listed.len() > 20, "WORDS is read ({} keys)", listed.len());
    let keys = keys();
    // Each 'word' quoted anywhere (an apostrophe in a comment does not pair with it).
    let quoted: BTreeSet<String> = text
        .match_indices('\'')
        .filter_map(|(i, _)| {
            let rest = &text[i + 1..];
            let word = &rest[..rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len())];
            (rest[word.len()..].starts_with('\'') && keys.contains(word)).then(|| word.to_owned())
        })
        .collect();
    // ('loading' is a key and also `document.readyState`'s value, which content.js tests.)
    let missing: Vec<_> = quoted.difference(&listed).filter(|k| *k != "loading").collect();
    assert!(missing.is_empty(), "keys content.js says but WORDS does not list: {missing:?}");
    let unknown: Vec<_> = listed.iter().filter(|k| !keys.contains(*k)).collect();
    assert!(unknown.is_empty(), "WORDS lists keys messages.json does not have: {unknown:?}");
}
