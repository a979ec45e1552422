//! `cargo xtask test`: every test, fail-fast, with a timed summary of the steps.

use crate::{package, postgres::Postgres, setup, sh};
use anyhow::{Context, Result};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run() -> Result<()> {
    let mut steps = Steps::default();
    let result = all(&mut steps);
    steps.summary();
    result
}

fn all(steps: &mut Steps) -> Result<()> {
    let root = sh::root();
    steps.run("setup", setup::all)?;
    // One run covers the workspace and the backend on both engines; under xtask the
    // PostgreSQL URL is always set, and a server that cannot start fails the step.
    steps.run("cargo test --workspace (backend on SQLite + PostgreSQL)", || {
        let pg = Postgres::start()?;
        let url = pg.create_database("credits_test")?;
        sh::run(sh::cargo().args(["test", "--workspace"]).env("CREDITS_TEST_POSTGRES_URL", url))
    })?;
    steps.run("fuzz: 3 targets x 15 s", || crate::fuzz::run(15))?;
    steps.run("credits-core builds for wasm32", || sh::run(sh::cargo().args(["build", "-p", "credits-core", "--target", setup::WASM_TARGET])))?;
    let zip = steps.run("build + package the extension", package::run)?;
    // `cargo test` above built target/debug/credits-backend for the backend's own
    // integration tests; a separate `cargo build` would only recompile its dependencies
    // with the non-test feature set (about a minute on a fresh machine) for the same binary.
    steps.run("end-to-end tests (npm test)", || {
        let backend = sh::target_dir().join("debug/credits-backend");
        anyhow::ensure!(backend.exists(), "{} is missing: the cargo test step builds it", backend.display());
        let artifacts = root.join("tests/artifacts");
        std::fs::create_dir_all(&artifacts)?;
        sh::run(
            Command::new("npm")
                .arg("test")
                .current_dir(root.join("tests"))
                .env("UPWEX_EXTENSION_DIR", &root)
                .env("UPWEX_BACKEND_BIN", &backend)
                .env("UPWEX_ARTIFACTS", artifacts),
        )
    })?;
    // The package itself, installed as a user would (unsigned, which ESR allows).
    steps.run("end-to-end tests in Firefox ESR (npm run test:firefox)", || {
        sh::run(
            Command::new("npm")
                .args(["run", "test:firefox"])
                .current_dir(root.join("tests"))
                .env("UPWEX_EXTENSION_DIR", &root)
                .env("UPWEX_BACKEND_BIN", sh::target_dir().join("debug/credits-backend"))
                .env("UPWEX_PACKAGE", &zip)
                .env("UPWEX_FIREFOX", setup::FIREFOX)
                .env("UPWEX_GECKODRIVER", setup::geckodriver_bin())
                .env("UPWEX_ARTIFACTS", root.join("tests/artifacts")),
        )
    })?;
    steps.run("schemathesis against the served OpenAPI (at most 90 s)", || {
        crate::schemathesis::run(&sh::target_dir().join("debug/credits-backend"))
    })?;
    steps.run("web-ext lint on the package", || {
        let dir = tempfile::tempdir()?;
        package::extract(&zip, dir.path())?;
        sh::run(
            Command::new(root.join("tests/node_modules/.bin/web-ext"))
                .args(["lint", "--no-config-discovery", "--source-dir"])
                .arg(dir.path())
                .current_dir(root.join("tests")),
        )
    })
}

#[derive(Default)]
struct Steps(Vec<(String, Duration, bool)>);

impl Steps {
    fn run<T>(&mut self, name: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
        println!("\n==> {name}");
        let start = Instant::now();
        let result = step();
        self.0.push((name.to_owned(), start.elapsed(), result.is_ok()));
        result.with_context(|| format!("step `{name}` failed"))
    }

    fn summary(&self) {
        println!("\nxtask test summary:");
        for (name, took, ok) in &self.0 {
            println!("  {:>4}  {:>7.1}s  {name}", if *ok { "ok" } else { "FAIL" }, took.as_secs_f64());
        }
        let total: Duration = self.0.iter().map(|(_, took, _)| *took).sum();
        let failed = self.0.iter().filter(|(_, _, ok)| !ok).count();
        println!("  total {:.1}s", total.as_secs_f64());
        // The plain closing line CI reads: steps, not individual tests.
        println!("steps: {} passed, {failed} failed", self.0.len() - failed);
    }
}
