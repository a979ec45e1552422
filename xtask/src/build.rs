//! `cargo xtask build`: the extension's WASM, its JS bindings and a size report.

use crate::{setup, sh};
use anyhow::{Context, Result, bail};
use flate2::{Compression, write::GzEncoder};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Where the bindings go; manifest.json and the extension pages import from here.
const PKG_DIR: &str = "extension/pkg";
const CRATE: &str = "credits_extension";
/// Installed extensions compile the raw file from disk, so the budget is on raw bytes.
const WASM_BUDGET: u64 = 350 * 1024;

pub fn run() -> Result<()> {
    setup::npm()?; // wasm-opt comes from the npm package `binaryen`
    sh::run(sh::cargo().args(["build", "-p", "credits-extension", "--release"]).args(["--target", setup::WASM_TARGET]))?;
    let input = sh::target_dir().join(setup::WASM_TARGET).join("release").join(format!("{CRATE}.wasm"));
    let out = sh::root().join(PKG_DIR);
    if out.exists() {
        // Stale files would otherwise be packaged.
        std::fs::remove_dir_all(&out)?;
    }
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        // Keep init()'s default `new URL('..._bg.wasm', import.meta.url)`.
        .omit_default_module_path(false)
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&out)
        .with_context(|| format!("wasm-bindgen on {}", input.display()))?;
    let wasm = out.join(format!("{CRATE}_bg.wasm"));
    let before = wasm.metadata()?.len();
    wasm_opt(&wasm)?;
    report(&wasm, before)
}

/// Debian's wasm-opt is too old for rustc 1.95's output; the npm one is current.
/// `--converge` repeats `-Oz` while it still shrinks. `--low-memory-unused` lets it fold
/// constant offsets into loads: true for rustc's layout, where the stack comes first and
/// grows down from 1 MiB towards 0, so the lowest 1 KiB is reached only by an overflow.
fn wasm_opt(wasm: &Path) -> Result<()> {
    let bin = sh::root().join("tests/node_modules/.bin/wasm-opt");
    let tmp = wasm.with_extension("opt.wasm");
    sh::run(Command::new(bin).args(["-Oz", "--converge", "--low-memory-unused"]).arg(wasm).arg("-o").arg(&tmp))?;
    std::fs::rename(&tmp, wasm)?;
    Ok(())
}

fn report(wasm: &Path, before_opt: u64) -> Result<()> {
    let bytes = std::fs::read(wasm)?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes)?;
    let (raw, gzip) = (bytes.len() as u64, gz.finish()?.len() as u64);
    println!(
        "shipped wasm {}: {} raw, {} gzip -9 (bindgen output {}; budget {} raw)",
        wasm.strip_prefix(sh::root()).unwrap_or(wasm).display(),
        kib(raw),
        kib(gzip),
        kib(before_opt),
        kib(WASM_BUDGET)
    );
    if raw > WASM_BUDGET {
        bail!("the shipped wasm is {} raw, over the {} budget", kib(raw), kib(WASM_BUDGET));
    }
    Ok(())
}

pub fn kib(bytes: u64) -> String {
    format!("{:.1} KiB ({bytes} B)", bytes as f64 / 1024.0)
}
