//! `cargo xtask bench`: benchmarks that print their figures (SPEC.md section 5).

use crate::{package, postgres::Postgres, setup, sh};
use anyhow::Result;
use std::process::Command;

/// Backend ingest rate beside a raw insert loop, and balance-read latency, on a fresh SQLite
/// file and a fresh PostgreSQL database (a throwaway server); `credits-bench` prints the table.
/// `BENCH_SECONDS` sets each phase's length.
pub fn backend() -> Result<()> {
    sh::run(sh::cargo().args(["build", "--release", "-p", "credits-backend", "--bin", "credits-bench", "--bin", "credits-backend"]))?;
    let scratch = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", scratch.path().join("bench.db").display());
    let pg = Postgres::start()?;
    let postgres = pg.create_database("credits_bench")?;
    let mut bench = Command::new(sh::target_dir().join("release/credits-bench"));
    bench.args(["--database", &sqlite, "--database", &postgres]);
    // A second `serve` process on the PostgreSQL database, beside the in-process one.
    bench.arg("--second-server").arg(sh::target_dir().join("release/credits-backend"));
    if let Ok(seconds) = std::env::var("BENCH_SECONDS") {
        bench.args(["--seconds", &seconds]);
    }
    sh::run(&mut bench)
}

/// Page scan cost, click-to-badge latency, background cold start: headless Chromium with the
/// built extension, then Firefox ESR with the package, each with the real backend
/// (tests/bench/extension.mjs and firefox.mjs print a table each).
pub fn extension() -> Result<()> {
    let zip = package::run()?; // builds first, which also installs the npm packages
    sh::run(sh::cargo().args(["build", "-p", "credits-backend"]))?;
    let root = sh::root();
    for script in ["bench/extension.mjs", "bench/firefox.mjs"] {
        sh::run(
            Command::new("node")
                .arg(script)
                .current_dir(root.join("tests"))
                .env("UPWEX_EXTENSION_DIR", &root)
                .env("UPWEX_BACKEND_BIN", sh::target_dir().join("debug/credits-backend"))
                .env("UPWEX_PACKAGE", &zip)
                .env("UPWEX_FIREFOX", setup::FIREFOX)
                .env("UPWEX_GECKODRIVER", setup::geckodriver_bin()),
        )?;
    }
    Ok(())
}
