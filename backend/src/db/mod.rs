//! Storage: one [`Store`] over an embedded SQLite file (the default) or PostgreSQL.
//!
//! One set of SQL serves both engines: the queries use `$n` placeholders (SQLite reads
//! them as numbered parameters too), integer milliseconds for times, and types both engines
//! decode alike. What differs per engine lives here and in the two migration folders:
//!
//! * **Locking a team's ledger row.** Every write transaction locks the team's balance row
//!   before it reads it, so concurrent requests on one team run one after the other and
//!   nothing interleaves between "read the ledger" and "write it back".
//!   - PostgreSQL: `SELECT ... FOR UPDATE` on the `ledgers` row (READ COMMITTED; a waiting
//!     transaction reads the committed row once the lock is granted).
//!   - SQLite: the database has one writer at a time. Writes go through a pool of ONE
//!     connection (in-process writers queue there, fairly, instead of spinning in SQLite's
//!     busy handler) and start with `BEGIN IMMEDIATE`, which takes the write lock up front
//!     so a second process (a CLI command beside the server) waits on `busy_timeout`
//!     instead of failing to upgrade a read transaction. Reads use a separate pool: in
//!     WAL mode readers never block the writer nor wait for it.
//! * **SQLite durability.** `journal_mode=WAL` + `synchronous=FULL`: a commit returns only
//!   after the WAL is fsynced, so a batch that was answered survives `kill -9` and power
//!   loss (NORMAL would survive `kill -9` but could lose the last commits on power loss;
//!   the ingest benchmark measures what FULL costs). `busy_timeout` lets other processes'
//!   writers wait, and foreign keys are enforced.
//!
//! `$n` queries are issued through [`Conn`], and the `on!` macro expands one query body for
//! both engines with their concrete types, so there is no dynamic `Any` layer. A query with
//! a variable list (an id list, optional filters, a multi-row insert) is built with sqlx's
//! `QueryBuilder`, which writes each engine's placeholders; rows decode into `FromRow` structs.

pub mod alerts;
pub mod audit;
pub mod budgets;
pub mod plans;
pub mod queries;
pub mod revocation;

use std::ops::DerefMut;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};

/// The database used when neither `--database` nor `CREDITS_DATABASE_URL` names one: a
/// SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://credits.db";

/// How long a SQLite writer from another process waits for the write lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Concurrent SQLite readers (WAL readers run in parallel).
const SQLITE_READERS: u32 = 4;
const POSTGRES_CONNECTIONS: u32 = 16;
/// How long a request waits for a PostgreSQL connection before it is answered 503: with
/// the database down, sqlx keeps reconnecting until this passes.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

/// The migrations of each engine, by version (kept in step: one schema per engine).
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, "revocation", include_str!("../../migrations/sqlite/0002_revocation.sql")),
    (3, "audit", include_str!("../../migrations/sqlite/0003_audit.sql")),
    (10, "member_budgets", include_str!("../../migrations/sqlite/0010_member_budgets.sql")),
    (11, "alerts", include_str!("../../migrations/sqlite/0011_alerts.sql")),
    (12, "prices", include_str!("../../migrations/sqlite/0012_prices.sql")),
    (13, "history_order", include_str!("../../migrations/sqlite/0013_history_order.sql")),
    (14, "member_cycle_counter", include_str!("../../migrations/sqlite/0014_member_cycle_counter.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/postgres/0001_init.sql")),
    (2, "revocation", include_str!("../../migrations/postgres/0002_revocation.sql")),
    (3, "audit", include_str!("../../migrations/postgres/0003_audit.sql")),
    (10, "member_budgets", include_str!("../../migrations/postgres/0010_member_budgets.sql")),
    (11, "alerts", include_str!("../../migrations/postgres/0011_alerts.sql")),
    (12, "prices", include_str!("../../migrations/postgres/0012_prices.sql")),
    (13, "history_order", include_str!("../../migrations/postgres/0013_history_order.sql")),
    (14, "member_cycle_counter", include_str!("../../migrations/postgres/0014_member_cycle_counter.sql")),
];

/// One value per engine: pools, connections, transactions.
pub enum Engine<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// A borrowed connection of either engine; every query takes one.
pub type Conn<'a> = Engine<&'a mut SqliteConnection, &'a mut PgConnection>;
/// A write transaction that holds (or is about to take) the team's lock.
pub type Tx = Engine<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>;
/// A pooled connection for reads.
pub type Read = Engine<PoolConnection<Sqlite>, PoolConnection<Postgres>>;

impl<S: DerefMut<Target = SqliteConnection>, P: DerefMut<Target = PgConnection>> Engine<S, P> {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Engine::Sqlite(c) => Engine::Sqlite(&mut **c),
            Engine::Postgres(c) => Engine::Postgres(&mut **c),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Engine::Sqlite(tx) => tx.commit().await,
            Engine::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Expands `$body` once per engine with `$c` bound to that engine's `&mut` connection.
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Engine::Sqlite($c) => $body,
            $crate::db::Engine::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

/// The database: pools for SQLite or PostgreSQL. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Which engine a database URL selects.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`: a
    /// `postgres://` URL selects PostgreSQL; `sqlite://PATH` or a plain path selects SQLite.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let store = if is_postgres_url(url) { Self::open_postgres(url).await? } else { Self::open_sqlite(url).await? };
        store.migrate().await?;
        Ok(store)
    }

    async fn open_sqlite(url: &str) -> anyhow::Result<Store> {
        let url = if url.starts_with("sqlite:") { url.to_owned() } else { format!("sqlite://{url}") };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        // No ping before handing out a connection: the database is in-process.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new().max_connections(SQLITE_READERS).test_before_acquire(false).connect_with(options).await?;
        Ok(Store::Sqlite { write, read })
    }

    async fn open_postgres(url: &str) -> anyhow::Result<Store> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(POSTGRES_CONNECTIONS).acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT).connect_with(options).await?;
        Ok(Store::Postgres(pool))
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        // The SQL is embedded so the binary migrates from any working directory.
        let migrator = |list: &[(i64, &'static str, &'static str)]| {
            let migrations = list
                .iter()
                .map(|&(version, name, sql)| Migration::new(version, name.into(), MigrationType::Simple, sqlx::SqlSafeStr::into_sql_str(sql), false))
                .collect();
            Migrator::with_migrations(migrations)
        };
        match self {
            Store::Sqlite { write, .. } => migrator(SQLITE_MIGRATIONS).run(write).await?,
            Store::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match self {
            Store::Sqlite { .. } => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Starts a write transaction. On SQLite it already holds the database's write lock; on
    /// PostgreSQL the caller locks the team's row with [`queries::ledger`]`(.., lock: true)`.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Store::Sqlite { write, .. } => Engine::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(pool) => Engine::Postgres(pool.begin().await?),
        })
    }

    /// A connection for reads (never blocked by a writer).
    pub async fn read(&self) -> sqlx::Result<Read> {
        Ok(match self {
            Store::Sqlite { read, .. } => Engine::Sqlite(read.acquire().await?),
            Store::Postgres(pool) => Engine::Postgres(pool.acquire().await?),
        })
    }

    /// Closes the pools (waits for connections in use to come back).
    pub async fn close(&self) {
        match self {
            Store::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

/// Whether a failed transaction may simply be run again: PostgreSQL can refuse a commit
/// when another team's transaction inserted the same event or top-up id meanwhile (unique
/// violation), or pick it as a deadlock victim. The retry sees the other row and answers
/// from it.
pub fn is_retryable(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).is_some_and(|code| matches!(&*code, "23505" | "40001" | "40P01"))
}

/// Whether an error means the database cannot be reached or is overloaded right now (the
/// request changed nothing; the client should retry later) rather than a broken request:
/// no connection within the acquire timeout, a lost connection, a server shutting down or
/// refusing connections (SQLSTATE classes 08, 57P, 53300), SQLite busy past its timeout.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => {
            d.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P") || matches!(&*code, "53300" | "5" | "6" | "261" | "517"))
        }
        _ => false,
    }
}
