//! `cargo xtask fuzz [SECONDS]`: the core's coverage-guided fuzz targets (fuzz/, libFuzzer
//! through libfuzzer-sys), each run for SECONDS (default 300). `cargo xtask test` runs each
//! for a few seconds. Built on the stable toolchain with the same coverage instrumentation
//! `cargo fuzz` uses (`-Cpasses=sancov-module`), without a sanitizer (safe Rust; the
//! targets assert the properties), so no nightly and no `RUSTC_BOOTSTRAP`.

use crate::sh;
use anyhow::Result;
use std::process::Command;

pub const TARGETS: [&str; 3] = ["batch_judge", "recognizer", "cycles"];
const TRIPLE: &str = "x86_64-unknown-linux-gnu";
const RUSTFLAGS: &str = "-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

/// Builds the targets, then runs each for `seconds` on its corpus (grown under
/// target/fuzz/corpus, seeded from fuzz/seeds). A crash fails with the input saved.
pub fn run(seconds: u64) -> Result<()> {
    let root = sh::root();
    let target = sh::target_dir().join("fuzz");
    // `--target` keeps the instrumentation off build scripts and proc macros.
    sh::run(
        sh::cargo()
            .args(["build", "--release", "--manifest-path", "fuzz/Cargo.toml", "--target", TRIPLE, "--target-dir"])
            .arg(&target)
            .env("RUSTFLAGS", RUSTFLAGS)
            .env("CARGO_INCREMENTAL", "0"),
    )?;
    for name in TARGETS {
        let corpus = target.join("corpus").join(name);
        let artifacts = target.join("artifacts").join(name);
        std::fs::create_dir_all(&corpus)?;
        std::fs::create_dir_all(&artifacts)?;
        let mut cmd = Command::new(target.join(TRIPLE).join("release").join(name));
        cmd.arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=1024")
            .arg("-print_final_stats=1")
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg(&corpus);
        let seeds = root.join("fuzz/seeds").join(name);
        if seeds.is_dir() {
            cmd.arg(seeds);
        }
        sh::run(&mut cmd)?;
    }
    Ok(())
}
