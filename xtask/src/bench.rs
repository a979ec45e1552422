//! `cargo xtask bench`: benchmarks that print their figures (SPEC.md section 5).

use anyhow::{Result, bail};

/// Backend ingest rate beside a raw insert loop, on SQLite and PostgreSQL.
pub fn backend() -> Result<()> {
    bail!("benchmark not built yet: backend")
}

/// Page scan cost, click-to-badge latency, service-worker cold start.
pub fn extension() -> Result<()> {
    bail!("benchmark not built yet: extension")
}
