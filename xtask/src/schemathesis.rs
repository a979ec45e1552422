//! schemathesis (from PyPI, in a virtualenv under target/) against the OpenAPI document the
//! real server serves: generated requests to every operation, with an owner's token, on a
//! fresh SQLite database, bounded in time. Fails on any 5xx, an answer that violates its
//! schema, an undocumented status or content type.

use crate::sh;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VERSION: &str = "4.32.5";
const BOUND: Duration = Duration::from_secs(90);

/// The virtualenv's `schemathesis`, installed on first use.
fn install() -> Result<std::path::PathBuf> {
    let venv = sh::target_dir().join("schemathesis");
    let bin = venv.join("bin/schemathesis");
    let version = bin.exists().then(|| sh::output(Command::new(&bin).arg("--version")).unwrap_or_default());
    if !version.is_some_and(|v| v.contains(VERSION)) {
        sh::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        sh::run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", &format!("schemathesis=={VERSION}")]))?;
    }
    Ok(bin)
}

fn cli(backend: &Path, database: &str, args: &[&str]) -> Result<String> {
    sh::output(Command::new(backend).args(["--database", database]).args(args))
}

pub fn run(backend: &Path) -> Result<()> {
    let schemathesis = install()?;
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("credits.db").display());
    let team = cli(backend, &database, &["team", "create", "--name", "Schemathesis", "--plan", "max", "--seats", "5"])?;
    let token = cli(backend, &database, &["member", "add", "--team", &team, "--name", "Owner", "--role", "owner"])?;
    let port = sh::free_port()?;
    let listen = format!("127.0.0.1:{port}");
    // Limits off: the generator sends far more than a real team.
    let mut server = Command::new(backend)
        .args(["--database", &database, "serve", "--listen", &listen, "--limit-token-per-minute", "0", "--limit-team-per-minute", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting credits-backend serve")?;
    let started = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = server.kill();
            bail!("the server did not listen on {listen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = sh::run(
        Command::new("timeout")
            .arg(BOUND.as_secs().to_string())
            .arg(&schemathesis)
            .arg("run")
            .arg(format!("http://{listen}/v1/openapi.json"))
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance"])
            .args(["--max-examples", "50", "--no-color"])
            // Its cache goes to the working directory: keep it out of the repository.
            .current_dir(dir.path()),
    );
    let _ = server.kill();
    let _ = server.wait();
    result
}
