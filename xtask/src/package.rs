//! `cargo xtask package`: a reproducible zip of exactly the files the extension ships.

use crate::{build, sh};
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::{CompressionMethod, DateTime, ZipWriter, write::SimpleFileOptions};

/// Everything the extension ships, as globs relative to the root. The ONE list that
/// decides the package; `check_manifest` proves it covers what manifest.json names.
const SHIPPED: &[&str] = &[
    "manifest.json",
    "_locales/*/messages.json",
    "icons/*.png",
    "extension/*.js",
    "extension/*.html",
    "extension/*.css",
    "extension/pkg/*.js",
    "extension/pkg/*_bg.wasm",
    // wasm-bindgen writes `inline_js` and `module = "..."` imports here.
    "extension/pkg/snippets/**/*.js",
];

/// Builds, then writes dist/upwex-credits-<version>.zip; returns its path.
pub fn run() -> Result<PathBuf> {
    build::run()?;
    let root = sh::root();
    let files = shipped_files(&root)?;
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("manifest.json"))?).context("manifest.json is not JSON")?;
    check_manifest(&manifest, &files)?;
    let version = manifest["version"].as_str().context("manifest.json has no version")?;
    let zip = root.join("dist").join(format!("upwex-credits-{version}.zip"));
    std::fs::create_dir_all(zip.parent().unwrap())?;
    let bytes = write_zip(&root, &files)?;
    std::fs::write(&zip, &bytes)?;
    println!(
        "package {}: {} files, {}, sha256 {}",
        zip.strip_prefix(&root).unwrap_or(&zip).display(),
        files.len(),
        build::kib(bytes.len() as u64),
        hex(&Sha256::digest(&bytes))
    );
    Ok(zip)
}

/// The shipped files, relative to `root` with `/` separators, sorted.
pub fn shipped_files(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for pattern in SHIPPED {
        for path in glob::glob(&root.join(pattern).to_string_lossy())? {
            let path = path?;
            if path.is_file() {
                files.push(path.strip_prefix(root)?.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Every file manifest.json refers to (any string value naming a local file) must ship.
fn check_manifest(manifest: &serde_json::Value, files: &[String]) -> Result<()> {
    let mut refs = Vec::new();
    collect_paths(manifest, &mut refs);
    if let Some(locale) = manifest["default_locale"].as_str() {
        refs.push(format!("_locales/{locale}/messages.json"));
    }
    let missing: Vec<_> = refs.iter().filter(|r| !files.contains(r)).collect();
    if !missing.is_empty() {
        bail!("manifest.json names files that are not shipped (see SHIPPED in package.rs): {missing:?}");
    }
    Ok(())
}

fn collect_paths(value: &serde_json::Value, out: &mut Vec<String>) {
    const FILE_TYPES: &[&str] = &[".js", ".mjs", ".html", ".css", ".png", ".svg", ".json", ".wasm"];
    match value {
        serde_json::Value::String(s) if !s.contains("://") && !s.contains('*') && FILE_TYPES.iter().any(|t| s.ends_with(t)) => {
            out.push(s.trim_start_matches('/').to_owned());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_paths(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_paths(v, out)),
        _ => {}
    }
}

/// Sorted entries, fixed timestamps and permissions: same inputs, same bytes.
fn write_zip(root: &Path, files: &[String]) -> Result<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files {
        zip.start_file(file.as_str(), options)?;
        zip.write_all(&std::fs::read(root.join(file))?)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Unpacks a package, for tools that want a directory (web-ext lint).
pub fn extract(zip: &Path, dir: &Path) -> Result<()> {
    zip::ZipArchive::new(std::fs::File::open(zip)?)?.extract(dir)?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_only_shipped_files() {
        let root = sh::root();
        let manifest = serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
        let files = shipped_files(&root).unwrap();
        check_manifest(&manifest, &files).unwrap();
        assert!(files.iter().all(|f| !f.starts_with("tests/") && !f.starts_with("target/") && !f.ends_with(".rs")));
    }

    #[test]
    fn file_references_skip_urls_globs_and_messages() {
        let manifest = serde_json::json!({
            "name": "__MSG_extName__",
            "host_permissions": ["https://www.upwork.com/*"],
            "web_accessible_resources": [{"resources": ["extension/*.js"]}],
            "background": {"service_worker": "extension/background.js"},
            "icons": {"16": "/icons/icon-16.png"}
        });
        let mut refs = Vec::new();
        collect_paths(&manifest, &mut refs);
        refs.sort();
        assert_eq!(refs, ["extension/background.js", "icons/icon-16.png"]);
    }
}
