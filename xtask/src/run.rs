//! `cargo xtask run`: the product on this machine: the extension built at the root and
//! the backend serving a demo team from an embedded SQLite file.

use crate::{build, demo, sh};
use anyhow::{Context, Result, ensure};
use std::path::Path;
use std::process::Command;

const LISTEN: &str = "127.0.0.1:8787";
const DATABASE: &str = "sqlite://.data/credits.db";

pub fn run() -> Result<()> {
    build::run()?;
    sh::run(sh::cargo().args(["build", "-p", "credits-backend"]))?;
    let bin = sh::target_dir().join("debug/credits-backend");
    let root = sh::root();
    std::fs::create_dir_all(root.join(".data"))?;
    let token_file = root.join(".data/demo-token");
    let saved = std::fs::read_to_string(&token_file).unwrap_or_default();
    let fresh = saved.trim().is_empty();
    let demo = if fresh {
        let demo = demo::create(|args| {
            let out = sh::output(backend(&bin).args(args))?;
            ensure!(!out.is_empty(), "`credits-backend {}` printed nothing", args.join(" "));
            Ok(out)
        })?;
        std::fs::write(&token_file, &demo.owner)?;
        Some(demo)
    } else {
        None
    };
    let token = demo.as_ref().map_or_else(|| saved.trim().to_owned(), |d| d.owner.clone());
    // The server stays in the foreground: Ctrl-C in the terminal reaches it directly.
    let mut server = backend(&bin).args(["serve", "--listen", LISTEN]).spawn().context("cannot start credits-backend serve")?;
    let url = format!("http://{LISTEN}");
    if let Some(demo) = &demo {
        wait_healthy(&url)?;
        demo::history(&url, demo)?;
    }
    println!(
        "\nBackend:      {url}  (database {DATABASE})\n\
         Owner token:  {token}  (kept in .data/demo-token)\n\n\
         Load the extension: chrome://extensions -> Developer mode -> Load unpacked -> {}\n\
         Then its options:   Backend URL {url}, API token above.\n\
         Ctrl-C stops the backend.\n",
        root.display()
    );
    let status = server.wait()?;
    ensure!(status.success(), "credits-backend serve exited: {status}");
    Ok(())
}

/// Waits until the server answers `GET /healthz` (a few seconds at most).
fn wait_healthy(url: &str) -> Result<()> {
    for _ in 0..100 {
        if ureq::get(format!("{url}/healthz")).call().is_ok() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    anyhow::bail!("{url}/healthz did not answer")
}

/// The backend binary on the demo database; `--database` before the subcommand.
fn backend(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(sh::root()).args(["--database", DATABASE]);
    cmd
}
