//! Upwex Credits backend: the authoritative team ledger over HTTP (SPEC.md section 3), on
//! an embedded SQLite file or PostgreSQL. The credit rules are `credits-core`'s; this crate
//! parses, authorizes, stores and answers.
//!
//! The library starts the same server the binary runs, on any TCP listener, so tests and
//! the benchmark drive it over real HTTP.

pub mod auth;
pub mod backup;
pub mod bench;
pub mod budgets;
pub mod db;
pub mod errors;
pub mod guards;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod prices;
pub mod routes;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use credits_core::CreditConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::Store;
pub use limits::LimitsConfig;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub cfg: Arc<CreditConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub limits: Arc<limits::Limits>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self::with_limits(store, LimitsConfig::default())
    }

    pub fn with_limits(store: Store, limits: LimitsConfig) -> Self {
        AppState {
            store,
            cfg: Arc::new(CreditConfig::default()),
            metrics: Arc::new(metrics::Metrics::default()),
            limits: Arc::new(limits::Limits::new(limits)),
        }
    }
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests in
/// flight (graceful shutdown).
pub async fn serve(
    listener: TcpListener,
    store: Store,
    limits: LimitsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = routes::app(AppState::with_limits(store, limits));
    axum::serve(listener::JsonErrorsListener(listener), app).with_graceful_shutdown(shutdown).await
}

/// A server running in this process (tests, the benchmark).
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Binds `listen` (`127.0.0.1:0` picks a free port) and serves the API in the background.
    pub async fn start(store: Store, listen: &str) -> std::io::Result<Server> {
        Self::start_with(store, listen, LimitsConfig::default()).await
    }

    /// As [`Server::start`], with these limits.
    pub async fn start_with(store: Store, listen: &str, limits: LimitsConfig) -> std::io::Result<Server> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, store, limits, async {
            let _ = stopped.await;
        }));
        Ok(Server { addr, stop: Some(stop), task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for that.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(std::io::Error::other)?
    }
}
