//! `credits-backend`: serves the API and administers teams (SPEC.md section 3). Each
//! command prints its result alone on stdout; logs and errors go to stderr.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use credits_backend::db::DEFAULT_DATABASE;
use credits_backend::errors::ApiError;
use credits_backend::limits::{LimitsConfig, Rate};
use credits_backend::{Store, ops};
use credits_core::api::{Role, TopupRequest};
use credits_core::{CreditConfig, ErrorCode, Plan};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[derive(Parser)]
#[command(name = "credits-backend", version, about = "Upwex Credits: the team credit ledger over HTTP")]
struct Cli {
    /// The database: `sqlite://PATH` (or a plain file path) for an embedded SQLite file,
    /// `postgres://...` for PostgreSQL.
    #[arg(long, global = true, env = "CREDITS_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API until SIGTERM or Ctrl-C.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        #[command(flatten)]
        limits: LimitArgs,
    },
    #[command(subcommand)]
    Team(TeamCommand),
    #[command(subcommand)]
    Member(MemberCommand),
    /// Record a paid Extra Credits pack; prints the new balance.
    Topup {
        #[arg(long)]
        team: String,
        /// 1 to 1,000,000.
        #[arg(long, allow_hyphen_values = true)]
        credits: String,
    },
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Refund one usage row; prints the new balance.
    Refund {
        #[arg(long)]
        team: String,
        /// The usage row's id (the event id).
        #[arg(long)]
        usage: String,
    },
    #[command(subcommand)]
    Rules(RulesCommand),
    #[command(subcommand)]
    Webhook(WebhookCommand),
    #[command(subcommand)]
    Prices(PricesCommand),
    /// Copy a SQLite database consistently while the server runs; prints the copy's path.
    /// (PostgreSQL: use pg_dump.)
    Backup {
        /// The new file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// The audit trail, newest first: one JSON object per line.
    Audit {
        /// Only this team's entries (default: every entry, rules changes included).
        #[arg(long)]
        team: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum PricesCommand {
    /// Store the plans' monthly prices per seat and the packs' prices for the plan advisor
    /// (`{"currency", "plans": {"lite", "pro", "max"}, "packs": [{"credits", "price"}]}`);
    /// prints them as stored.
    Set {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Send the team's alerts to URL (https, or http on loopback); prints the signing secret.
    Set {
        #[arg(long)]
        team: String,
        #[arg(long)]
        url: String,
    },
    /// Stop sending the team's alerts; prints nothing.
    Clear {
        #[arg(long)]
        team: String,
    },
    /// One line per delivery: id, type, attempts, state (tab-separated).
    Deliveries {
        #[arg(long)]
        team: String,
    },
}

/// Requests per minute each token and each team may sustain, and the burst above that
/// (a rate of 0 turns the limit off). Over a limit: 429 with `Retry-After`.
#[derive(clap::Args)]
struct LimitArgs {
    #[arg(long, env = "CREDITS_LIMIT_TOKEN_PER_MINUTE", default_value_t = LimitsConfig::default().token.per_minute)]
    limit_token_per_minute: u32,
    #[arg(long, env = "CREDITS_LIMIT_TOKEN_BURST", default_value_t = LimitsConfig::default().token.burst)]
    limit_token_burst: u32,
    #[arg(long, env = "CREDITS_LIMIT_TEAM_PER_MINUTE", default_value_t = LimitsConfig::default().team.per_minute)]
    limit_team_per_minute: u32,
    #[arg(long, env = "CREDITS_LIMIT_TEAM_BURST", default_value_t = LimitsConfig::default().team.burst)]
    limit_team_burst: u32,
}

impl LimitArgs {
    fn config(&self) -> LimitsConfig {
        LimitsConfig {
            token: Rate { per_minute: self.limit_token_per_minute, burst: self.limit_token_burst },
            team: Rate { per_minute: self.limit_team_per_minute, burst: self.limit_team_burst },
        }
    }
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Create a team; prints its id.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["trial", "lite", "pro", "max"])]
        plan: String,
        #[arg(long)]
        seats: u32,
        /// The billing anchor (RFC 3339); defaults to now; a future anchor is refused.
        #[arg(long)]
        anchor: Option<String>,
    },
}

#[derive(Subcommand)]
enum MemberCommand {
    /// Add a member; prints its first token.
    Add {
        #[arg(long)]
        team: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["owner", "member"], default_value = "member")]
        role: String,
    },
    /// One line per member: id, role, name (tab-separated).
    List {
        #[arg(long)]
        team: String,
    },
    /// Issue another token for a member; prints it.
    Token {
        #[arg(long)]
        member: String,
    },
    /// Every token of the member stops working, and no new one is issued until `member
    /// restore`; prints nothing.
    Revoke {
        #[arg(long)]
        member: String,
    },
    /// Cap what a member may use per cycle (`--credits N`) or remove the cap (`--clear`);
    /// prints the member's entry as JSON.
    #[command(group(clap::ArgGroup::new("budget").required(true).args(["credits", "clear"])))]
    Budget {
        #[arg(long)]
        member: String,
        #[arg(long, allow_hyphen_values = true)]
        credits: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// Lift a revocation so `member token` works again; prints nothing.
    Restore {
        #[arg(long)]
        member: String,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Change the plan and/or seats, effective at once; prints the new balance.
    #[command(group(clap::ArgGroup::new("change").required(true).multiple(true).args(["plan", "seats"])))]
    Set {
        #[arg(long)]
        team: String,
        #[arg(long, value_parser = ["trial", "lite", "pro", "max"])]
        plan: Option<String>,
        #[arg(long)]
        seats: Option<u32>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate and store recognition rules for GET /v1/rules; prints the new ETag.
    Set {
        #[arg(long)]
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve { .. }) { "info,sqlx=warn" } else { "warn" };
    let filter: Targets = std::env::var("RUST_LOG").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| default_level.parse().expect("valid filter"));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal()))
        .with(filter)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(Some(out)) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn refused(code: ErrorCode, message: String) -> anyhow::Error {
    ApiError::new(code, message).into()
}

fn plan(code: &str) -> anyhow::Result<Plan> {
    Plan::from_code(code).ok_or_else(|| refused(ErrorCode::InvalidPlan, format!("unknown plan {code}")))
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<Option<String>> {
    Ok(Some(serde_json::to_string(value)?))
}

/// Runs one command; what it returns is printed on stdout.
async fn run(cli: Cli) -> anyhow::Result<Option<String>> {
    let store = Store::open(&cli.database).await?;
    let cfg = CreditConfig::default();
    let now = ops::now();
    let out = match cli.command {
        Command::Serve { listen, limits } => {
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            tracing::info!(engine = store.engine(), "listening on http://{}", listener.local_addr()?);
            let deliveries = tokio::spawn(credits_backend::webhooks::run(store.clone()));
            credits_backend::serve(listener, store.clone(), limits.config(), shutdown_signal()).await?;
            deliveries.abort();
            tracing::info!("stopped");
            None
        }
        Command::Team(TeamCommand::Create { name, plan: code, seats, anchor }) => {
            let anchor = match anchor {
                None => None,
                Some(a) => Some(
                    chrono::DateTime::parse_from_rfc3339(&a)
                        .map_err(|e| refused(ErrorCode::InvalidAnchor, format!("the anchor must be an RFC 3339 instant: {e}")))?
                        .to_utc(),
                ),
            };
            Some(ops::create_team(&store, &name, plan(&code)?, seats, anchor, now, &cfg).await?)
        }
        Command::Member(MemberCommand::Add { team, name, role }) => {
            let role = Role::from_code(&role).ok_or_else(|| refused(ErrorCode::InvalidRole, format!("unknown role {role}")))?;
            Some(ops::add_member(&store, &team, &name, role, now).await?.1)
        }
        Command::Member(MemberCommand::List { team }) => {
            let lines: Vec<String> =
                ops::list_members(&store, &team).await?.iter().map(|m| format!("{}\t{}\t{}", m.id, m.role.code(), m.name)).collect();
            (!lines.is_empty()).then(|| lines.join("\n"))
        }
        Command::Member(MemberCommand::Token { member }) => Some(ops::issue_token(&store, &member, now).await?),
        Command::Member(MemberCommand::Revoke { member }) => {
            ops::revoke(&store, &member, now).await?;
            None
        }
        Command::Member(MemberCommand::Restore { member }) => {
            ops::restore(&store, &member, now).await?;
            None
        }
        Command::Member(MemberCommand::Budget { member, credits, clear: _ }) => {
            let credits = credits
                .map(|c| {
                    c.trim().parse::<u64>().map_err(|_| refused(ErrorCode::InvalidCredits, format!("credits must be a whole number from 0, got {c}")))
                })
                .transpose()?;
            json(&credits_backend::budgets::set_budget(&store, None, None, &member, credits, now, &cfg).await?)?
        }
        Command::Topup { team, credits } => {
            let credits = credits.trim().parse::<u64>().map_err(|_| {
                refused(ErrorCode::InvalidCredits, format!("credits must be a whole number from 1 to {}, got {credits}", cfg.max_topup))
            })?;
            // A fresh id: each command is a new purchase.
            let request = TopupRequest { id: uuid::Uuid::new_v4(), credits };
            json(&ops::top_up(&store, &team, None, &request, now, &cfg).await?)?
        }
        Command::Plan(PlanCommand::Set { team, plan: code, seats }) => {
            let plan = code.as_deref().map(plan).transpose()?;
            json(&ops::set_plan(&store, &team, plan, seats, now, &cfg).await?)?
        }
        Command::Refund { team, usage } => json(&ops::refund(&store, &team, &usage, now, &cfg).await?)?,
        Command::Webhook(WebhookCommand::Set { team, url }) => Some(credits_backend::webhooks::set(&store, &team, &url, now).await?),
        Command::Webhook(WebhookCommand::Clear { team }) => {
            credits_backend::webhooks::clear(&store, &team).await?;
            None
        }
        Command::Webhook(WebhookCommand::Deliveries { team }) => {
            let lines = credits_backend::webhooks::list(&store, &team).await?;
            (!lines.is_empty()).then(|| lines.join("\n"))
        }
        Command::Prices(PricesCommand::Set { file }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| refused(ErrorCode::BadRequest, format!("cannot read {}: {e}", file.display())))?;
            Some(credits_backend::prices::set(&store, &text, now).await?)
        }
        Command::Backup { to } => {
            let bytes = credits_backend::backup::backup(&store, &to).await?;
            tracing::info!(bytes, "backup written");
            Some(to.display().to_string())
        }
        Command::Audit { team, limit } => {
            let entries = ops::audit_page(&store, team.as_deref(), None, limit).await?;
            let lines: Vec<String> = entries.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
            (!lines.is_empty()).then(|| lines.join("\n"))
        }
        Command::Rules(RulesCommand::Set { file }) => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| refused(ErrorCode::InvalidRules, format!("cannot read {}: {e}", file.display())))?;
            Some(ops::set_rules(&store, &text, now).await?)
        }
    };
    store.close().await;
    Ok(out)
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
