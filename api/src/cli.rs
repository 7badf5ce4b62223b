//! The `meeteasy` command line.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use meeteasy_models::auth::Role;
use meeteasy_models::{Pool, TenantId};
use tokio::net::TcpListener;

use crate::config::{self, Overrides, Settings};
use crate::server;
use crate::shutdown::Shutdown;

#[derive(Debug, Parser)]
#[command(name = "meeteasy", version, about = "MeetEasy Jobs: the job pipeline behind MeetEasy")]
pub struct Cli {
    /// Configuration file (default: ./meeteasy.toml; missing is fine).
    #[arg(long, global = true, env = "MEETEASY_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The embedded default: API + CPU pool + AI pool in one process, SQLite
    /// and a local blob folder under --data-dir. Needs no servers.
    Dev {
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long)]
        listen: Option<String>,
    },
    /// The HTTP API only (Redis + MongoDB).
    Api {
        #[arg(long)]
        listen: Option<String>,
    },
    /// A worker process for one pool (Redis + MongoDB).
    Worker {
        #[arg(long, value_parser = parse_pool)]
        pool: Pool,
        /// Where this worker serves /healthz and /metrics.
        #[arg(long, default_value = "127.0.0.1:9464")]
        listen: String,
    },
    /// Prints a signed JWT for a tenant and role (local use and tests).
    Token {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, default_value = "dev-user")]
        sub: String,
        /// Lifetime: 90s, 30m, 1h, 7d (default 1h).
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: Duration,
    },
}

fn parse_pool(s: &str) -> Result<Pool, String> {
    s.parse().map_err(|e: meeteasy_models::ParseError| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|e: meeteasy_models::ParseError| e.to_string())
}

/// `90`, `90s`, `30m`, `1h`, `7d`.
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("invalid duration unit in {s:?} (use s, m, h or d)")),
    };
    if secs == 0 {
        return Err("duration must be positive".into());
    }
    Ok(Duration::from_secs(secs))
}

impl Cli {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let overrides = match &self.command {
            Command::Dev { data_dir, listen } => Overrides { listen: listen.clone(), data_dir: data_dir.clone() },
            Command::Api { listen } => Overrides { listen: listen.clone(), data_dir: None },
            _ => Overrides::default(),
        };
        Ok(config::load(self.config.as_deref(), overrides)?)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings()?;
    // Only `dev` and `token` may use the public development secret; a
    // scale-out process without a real one would let anyone mint tokens.
    let allow_dev = matches!(cli.command, Command::Dev { .. } | Command::Token { .. });
    settings.check_secret(allow_dev)?;
    match cli.command {
        Command::Token { tenant, role, sub, ttl } => {
            if settings.uses_dev_secret() {
                eprintln!("note: signed with the built-in development secret (set MEETEASY_JWT_SECRET otherwise)");
            }
            let tenant = TenantId::parse(tenant)?;
            let token = server::jwt_keys(&settings)?.mint(&tenant, &sub, vec![role], ttl)?;
            println!("{token}");
            Ok(())
        }
        Command::Dev { .. } => {
            crate::telemetry::init(&settings.log_format, &settings.log_level);
            if settings.uses_dev_secret() {
                tracing::warn!(
                    "using the built-in development JWT secret (fine for `meeteasy dev`; \
                     `meeteasy api` and `meeteasy worker` refuse it)"
                );
            }
            let backends = server::embedded(&settings).await?;
            let state = server::app_state(&settings, backends.clone())?;
            let listener = bind(&settings.listen).await?;
            tracing::info!(listen = %listener.local_addr()?, data_dir = %settings.data_dir.display(), "meeteasy dev ready");
            let shutdown = Shutdown::on_signals();
            let pools = match server::preflight(&settings, &[Pool::Ai]).await {
                Ok(()) => vec![Pool::Cpu, Pool::Ai],
                Err(e) => {
                    tracing::warn!("AI pool disabled: {e:#}");
                    vec![Pool::Cpu]
                }
            };
            if let Err(e) = server::preflight(&settings, &[Pool::Cpu]).await {
                tracing::warn!("Office conversion unavailable (PDFs, images and everything else still work): {e:#}");
            }
            let workers = tokio::spawn({
                let (shutdown, settings) = (shutdown.clone(), settings.clone());
                async move { server::work(&backends, &settings, &pools, shutdown).await }
            });
            server::serve(listener, state, shutdown).await?;
            workers.await.context("worker task")??;
            Ok(())
        }
        Command::Api { .. } => {
            crate::telemetry::init(&settings.log_format, &settings.log_level);
            let state = server::app_state(&settings, server::scaled(&settings).await?)?;
            let listener = bind(&settings.listen).await?;
            tracing::info!(listen = %listener.local_addr()?, "meeteasy api ready");
            server::serve(listener, state, Shutdown::on_signals()).await
        }
        Command::Worker { pool, listen } => {
            crate::telemetry::init(&settings.log_format, &settings.log_level);
            server::preflight(&settings, &[pool]).await?;
            let backends = server::scaled(&settings).await?;
            let shutdown = Shutdown::on_signals();
            let refresh = std::time::Duration::from_secs(settings.metrics.refresh_secs);
            crate::metrics::spawn_refresher(backends.jobs.clone(), refresh, shutdown.clone());
            let token = settings.metrics.bearer_token.clone();
            if let Err(e) = server::serve_metrics(&listen, crate::metrics::install(), token, shutdown.clone()).await {
                tracing::warn!(%listen, error = %e, "worker metrics endpoint disabled");
            }
            tracing::info!(pool = %pool, "meeteasy worker ready");
            server::work(&backends, &settings, &[pool], shutdown).await
        }
    }
}

async fn bind(addr: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_parse_with_units() {
        assert_eq!(parse_ttl("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_ttl("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_ttl("1y").is_err());
        assert!(parse_ttl("0s").is_err());
    }
}
