//! `cargo xtask bench`: benchmarks that print their figures (SPEC.md section 5).

use crate::{build, sh};
use anyhow::{Result, bail};
use std::process::Command;

/// Backend ingest rate beside a raw insert loop, on SQLite and PostgreSQL.
pub fn backend() -> Result<()> {
    bail!("benchmark not built yet: backend")
}

/// Page scan cost, click-to-badge latency, service-worker cold start: headless Chromium
/// with the built extension and the real backend (tests/bench/extension.mjs prints a table).
pub fn extension() -> Result<()> {
    build::run()?; // also installs the npm packages
    sh::run(sh::cargo().args(["build", "-p", "credits-backend"]))?;
    let root = sh::root();
    sh::run(
        Command::new("node")
            .arg("bench/extension.mjs")
            .current_dir(root.join("tests"))
            .env("UPWEX_EXTENSION_DIR", &root)
            .env("UPWEX_BACKEND_BIN", sh::target_dir().join("debug/credits-backend")),
    )
}
