//! A throwaway PostgreSQL server for tests and benchmarks: initdb in a temp dir, a free
//! port, stopped and removed on drop (also when the task fails).

use crate::sh;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;
use tempfile::TempDir;

pub struct Postgres {
    bin: PathBuf,
    port: u16,
    /// Holds the data dir, the socket and the log; removed after `drop` stops the server.
    dir: TempDir,
}

/// The newest /usr/lib/postgresql/<version>/bin that has initdb (Debian's layout).
pub fn bin_dir() -> Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (no /usr/lib/postgresql)")?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).context("no initdb under /usr/lib/postgresql/*/bin")
}

impl Postgres {
    pub fn start() -> Result<Self> {
        // /tmp rather than $TMPDIR: the postgres user must be able to reach the dir.
        let dir = tempfile::Builder::new().prefix("upwex-pg-").tempdir_in("/tmp")?;
        if sh::is_root() {
            // initdb refuses to run as root: the server runs as Debian's `postgres` user.
            sh::output(Command::new("chown").arg("postgres:").arg(dir.path()))?;
        }
        let pg = Postgres { bin: bin_dir()?, port: sh::free_port()?, dir };
        let data = pg.data();
        sh::output(pg.tool("initdb").args(["-A", "trust", "-U", "postgres", "--no-instructions", "-D"]).arg(&data))?;
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on", pg.port, pg.dir.path().display());
        let log = pg.dir.path().join("log");
        let mut start = pg.tool("pg_ctl");
        start.arg("-D").arg(&data).args(["-o", &options, "-l"]).arg(&log).args(["-w", "start"]);
        if let Err(e) = sh::output(&mut start) {
            bail!("{e:#}\nserver log:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        let version = pg.bin.parent().and_then(|v| v.file_name()).unwrap_or_default().to_string_lossy();
        println!("postgres: PostgreSQL {version} on 127.0.0.1:{} in {}", pg.port, data.display());
        Ok(pg)
    }

    /// Creates a database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let port = self.port.to_string();
        sh::output(Command::new(self.bin.join("createdb")).args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name]))?;
        Ok(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A server tool, run as `postgres` when we are root, started inside the temp dir.
    fn tool(&self, name: &str) -> Command {
        let exe = self.bin.join(name);
        let mut cmd = if sh::is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        cmd.current_dir(self.dir.path());
        cmd
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if !self.data().join("postmaster.pid").exists() {
            return; // never started
        }
        let mut stop = self.tool("pg_ctl");
        stop.arg("-D").arg(self.data()).args(["-m", "fast", "-w", "stop"]);
        if let Err(e) = sh::output(&mut stop) {
            eprintln!("postgres: stop failed: {e:#}");
        }
    }
}
