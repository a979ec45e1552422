//! The project's task runner: `cargo xtask <command>`.

mod bench;
mod build;
mod demo;
mod fuzz;
mod package;
mod postgres;
mod run;
mod schemathesis;
mod setup;
mod sh;
mod test;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

  setup                      install what a fresh Debian machine lacks (idempotent)
  build                      build the extension (WASM + bindings) into extension/pkg
  package                    build, then write dist/upwex-credits-<version>.zip
  test                       run every test (unit, PostgreSQL, wasm, end-to-end, lint)
  run                        build, seed a demo team, serve the backend on 127.0.0.1:8787
  bench [backend|extension|all]  run the benchmarks
  fuzz [SECONDS]             run each fuzz target for SECONDS (default 300)
  schemathesis               schemathesis against the served OpenAPI (needs target/debug/credits-backend)";

fn main() {
    if let Err(e) = dispatch() {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn dispatch() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["setup"] => setup::all(),
        ["build"] => build::run(),
        ["package"] => package::run().map(drop),
        ["test"] => test::run(),
        ["run"] => run::run(),
        ["bench"] | ["bench", "all"] => bench::backend().and_then(|()| bench::extension()),
        ["bench", "backend"] => bench::backend(),
        ["bench", "extension"] => bench::extension(),
        ["fuzz"] => fuzz::run(300),
        ["schemathesis"] => schemathesis::run(&sh::target_dir().join("debug/credits-backend")),
        ["fuzz", seconds] => fuzz::run(seconds.parse()?),
        ["help" | "-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unknown command {args:?}\n\n{USAGE}"),
    }
}
