//! `credits-backend backup --to FILE`: a consistent copy of a SQLite database taken while
//! the server runs. `VACUUM INTO` writes the database as one read transaction sees it, so
//! the copy holds every transaction committed before it started and none after, and it
//! never blocks the server's writer (WAL readers do not). PostgreSQL has its own tools:
//! `pg_dump` (see the README).

use std::path::Path;

use anyhow::{Context, bail};

use crate::Store;

/// Writes the copy to `to` (which must not exist yet); returns its size in bytes.
pub async fn backup(store: &Store, to: &Path) -> anyhow::Result<u64> {
    let Store::Sqlite { read, .. } = store else {
        bail!("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)");
    };
    if to.exists() {
        bail!("{} already exists; a backup never overwrites a file", to.display());
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let path = to.to_str().context("the backup path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1").bind(path).execute(read).await.with_context(|| format!("writing {}", to.display()))?;
    Ok(std::fs::metadata(to)?.len())
}
