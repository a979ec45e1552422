//! `cargo xtask run`: the product on this machine: the extension built at the root and
//! the backend serving a demo team from an embedded SQLite file.

use crate::{build, sh};
use anyhow::{Context, Result, ensure};
use std::os::unix::process::CommandExt;
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
    let token = if saved.trim().is_empty() {
        let token = seed_demo(|args| {
            let out = sh::output(backend(&bin).args(args))?;
            ensure!(!out.is_empty(), "`credits-backend {}` printed nothing", args.join(" "));
            Ok(out)
        })?;
        std::fs::write(&token_file, &token)?;
        token
    } else {
        saved.trim().to_owned()
    };
    println!(
        "\nBackend:      http://{LISTEN}  (database {DATABASE})\n\
         Owner token:  {token}  (kept in .data/demo-token)\n\n\
         Load the extension: chrome://extensions -> Developer mode -> Load unpacked -> {}\n\
         Then its options:   Backend URL http://{LISTEN}, API token above.\n\
         Ctrl-C stops the backend.\n",
        root.display()
    );
    // Hand the terminal to the server so Ctrl-C reaches it directly.
    let err = backend(&bin).args(["serve", "--listen", LISTEN]).exec();
    Err(err).context("cannot start credits-backend serve")
}

/// Seeds the demo team through the backend's CLI (SPEC.md section 3); returns the owner's token.
fn seed_demo(cli: impl Fn(&[&str]) -> Result<String>) -> Result<String> {
    let team = cli(&["team", "create", "--name", "Demo Team", "--plan", "pro", "--seats", "3"])?;
    let owner = cli(&["member", "add", "--team", &team, "--name", "Olena (owner)", "--role", "owner"])?;
    cli(&["member", "add", "--team", &team, "--name", "Taras", "--role", "member"])?;
    cli(&["topup", "--team", &team, "--credits", "100"])?;
    println!("seeded team {team}: Olena (owner), Taras, +100 extra credits");
    Ok(owner)
}

/// The backend binary on the demo database; `--database` before the subcommand.
fn backend(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(sh::root()).args(["--database", DATABASE]);
    cmd
}
