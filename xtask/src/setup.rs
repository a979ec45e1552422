//! `cargo xtask setup`: make a fresh Debian machine able to build and test the project.
//! Idempotent: each part checks first, acts only on what is missing, and says whether it acted.

use crate::{postgres, sh};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn all() -> Result<()> {
    let acted = [wasm_target()?, apt_packages()?, geckodriver()?, npm()?];
    if !acted.contains(&true) {
        println!("setup: wasm32 target, Chromium, chromedriver, Firefox ESR, geckodriver, PostgreSQL, Node, tests/node_modules: present");
    }
    Ok(())
}

/// rust-toolchain.toml already names the target; this is a safety net for other toolchains.
fn wasm_target() -> Result<bool> {
    if !sh::have("rustup") {
        return Ok(false);
    }
    let installed = sh::output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed.lines().any(|t| t == WASM_TARGET) {
        return Ok(false);
    }
    sh::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    Ok(true)
}

/// Debian packages the tests need, each with the file that proves it is there.
fn apt_packages() -> Result<bool> {
    let wanted = [
        ("chromium", sh::have("/usr/bin/chromium")),
        ("chromium-driver", sh::have("/usr/bin/chromedriver")),
        ("firefox-esr", sh::have(FIREFOX)),
        ("openssl", sh::have("openssl")), // the Firefox tests' throwaway certificate
        ("postgresql", postgres::bin_dir().is_ok()),
        ("libssl-dev", Path::new("/usr/include/openssl/ssl.h").exists()), // the webhook sender's TLS
        ("pkg-config", sh::have("pkg-config")),
        ("nodejs", sh::have("node")),
        ("npm", sh::have("npm")),
    ];
    let missing: Vec<&str> = wanted.iter().filter(|(_, ok)| !ok).map(|(p, _)| *p).collect();
    if missing.is_empty() {
        return Ok(false);
    }
    println!("setup: installing {}", missing.join(" "));
    apt(&["update"])?;
    apt(&[&["install", "-y", "--no-install-recommends"], missing.as_slice()].concat())?;
    Ok(true)
}

pub const FIREFOX: &str = "/usr/bin/firefox-esr";
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Where `cargo install` puts geckodriver: cargo's own bin directory, shared by every clone.
pub fn geckodriver_bin() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME").map(PathBuf::from);
    cargo_home.unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cargo")).join("bin/geckodriver")
}

/// geckodriver (Firefox's WebDriver server) is on crates.io, not in Debian: built once
/// (a few minutes), kept, rebuilt only for another version.
fn geckodriver() -> Result<bool> {
    let bin = geckodriver_bin();
    let version = sh::output(Command::new(&bin).arg("--version")).unwrap_or_default();
    if version.starts_with(&format!("geckodriver {GECKODRIVER_VERSION}")) {
        return Ok(false);
    }
    sh::run(sh::cargo().args(["install", "--locked", "geckodriver", "--version", GECKODRIVER_VERSION]))?;
    Ok(true)
}

fn apt(args: &[&str]) -> Result<()> {
    let mut cmd = if sh::is_root() {
        Command::new("apt-get")
    } else if sh::have("sudo") {
        let mut c = Command::new("sudo");
        c.args(["--preserve-env=DEBIAN_FRONTEND", "apt-get"]);
        c
    } else {
        bail!("apt-get needs root and sudo is missing: run `apt-get {}` as root", args.join(" "));
    };
    sh::run(cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `npm ci` in tests/ when node_modules is missing or older than the lock file.
/// Also the source of wasm-opt (npm `binaryen`), which `build` needs.
pub fn npm() -> Result<bool> {
    let tests = sh::root().join("tests");
    // npm writes this hidden lock file last on every install.
    let stale = newer_or_missing(&tests.join("package-lock.json"), &tests.join("node_modules/.package-lock.json"));
    if stale {
        sh::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&tests))?;
    }
    Ok(stale)
}

fn newer_or_missing(source: &Path, product: &Path) -> bool {
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    match (mtime(source), mtime(product)) {
        (Some(s), Some(p)) => s > p,
        _ => true,
    }
}
