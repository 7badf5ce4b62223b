//! The queues: apalis storages on Redis (scale-out) or SQLite (embedded).
//!
//! Each job kind has its own typed queue, named `<namespace>:<pool>:<kind>`,
//! so pools scale separately and queue depth per kind can drive autoscaling.
//! The queue only delivers messages; job state lives in the store. Depth is
//! read from the backends' raw keys and tables because apalis-redis 1.0's
//! inspection calls are unreliable against Redis 7 (SPEC §9).

mod redis;
mod sqlite;
mod tick;

pub use tick::Tick;

use std::path::Path;
use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use meeteasy_models::{JobKind, Pool};
use serde::Serialize;

use crate::settings::RuntimeSettings;
use crate::{Envelope, JobSpec};

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("sqlite queue: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("sqlite queue setup: {0}")]
    Setup(String),
    #[error("push failed: {0}")]
    Push(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Per-queue numbers for `/v1/queues` and `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub queue: String,
    pub kind: JobKind,
    pub pool: Pool,
    /// Ready to run now.
    pub depth: u64,
    /// Waiting for a retry delay or a schedule.
    pub scheduled: u64,
    /// Held by a worker right now.
    pub running: u64,
}

/// The queue backend this process talks to.
#[derive(Clone)]
pub enum Queues {
    Redis { conn: ::redis::aio::ConnectionManager, settings: RuntimeSettings },
    Sqlite { pool: sqlx::SqlitePool, settings: RuntimeSettings },
}

impl std::fmt::Debug for Queues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Queues::Redis { .. } => "Queues::Redis",
            Queues::Sqlite { .. } => "Queues::Sqlite",
        })
    }
}

impl Queues {
    pub async fn redis(url: &str, settings: RuntimeSettings) -> Result<Self, QueueError> {
        let conn = apalis_redis::connect(url).await?;
        Ok(Queues::Redis { conn, settings })
    }

    /// Opens `<data_dir>/queue.sqlite`; see `sqlite::open` for durability.
    pub async fn sqlite(data_dir: &Path, settings: RuntimeSettings) -> Result<Self, QueueError> {
        let pool = sqlite::open(data_dir).await?;
        Ok(Queues::Sqlite { pool, settings })
    }

    pub fn settings(&self) -> &RuntimeSettings {
        match self {
            Queues::Redis { settings, .. } | Queues::Sqlite { settings, .. } => settings,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Queues::Redis { .. } => "redis",
            Queues::Sqlite { .. } => "sqlite",
        }
    }

    pub fn redis_storage<J: JobSpec>(&self, conn: &::redis::aio::ConnectionManager) -> RedisStorage<Envelope<J>> {
        let s = self.settings();
        let config = apalis_redis::Config::default()
            .queue(s.queue_name(J::KIND))
            .heartbeat_interval(Duration::from_secs(s.heartbeat_secs.max(1)))
            .missed_heartbeats(s.missed_heartbeats.max(1))
            .batch_size(s.pool(J::KIND.pool()).concurrency.max(1));
        RedisStorage::new(conn.clone()).with_config(config)
    }

    pub fn sqlite_storage<J: JobSpec>(&self, pool: &sqlx::SqlitePool) -> SqliteStorage<Envelope<J>> {
        let s = self.settings();
        let config = apalis_sqlite::Config::default()
            .queue(s.queue_name(J::KIND))
            .heartbeat_interval(Duration::from_secs(s.heartbeat_secs.max(1)))
            .missed_heartbeats(s.missed_heartbeats.max(1))
            .batch_size(s.pool(J::KIND.pool()).concurrency.max(1));
        SqliteStorage::new(pool).with_config(config)
    }

    /// Pushes one message, optionally to run after `delay` (1 s granularity).
    pub async fn push<J: JobSpec>(&self, env: Envelope<J>, delay: Option<Duration>) -> Result<(), QueueError> {
        let mut builder = TaskBuilder::new(env);
        if let Some(d) = delay {
            builder = builder.run_after(d);
        }
        let task = builder.build();
        match self {
            Queues::Redis { conn, .. } => {
                let mut storage = self.redis_storage::<J>(conn);
                storage.push_task(task).await.map_err(|e| QueueError::Push(e.to_string()))
            }
            Queues::Sqlite { pool, .. } => {
                let mut storage = self.sqlite_storage::<J>(pool);
                storage.push_task(task).await.map_err(|e| QueueError::Push(e.to_string()))
            }
        }
    }

    /// Depth, scheduled and running counts for every kind.
    pub async fn stats(&self) -> Result<Vec<QueueStats>, QueueError> {
        let mut out = Vec::with_capacity(JobKind::ALL.len());
        for kind in JobKind::ALL {
            let queue = self.settings().queue_name(kind);
            let (depth, scheduled, running) = match self {
                Queues::Redis { conn, .. } => redis::counts(conn.clone(), &queue).await?,
                Queues::Sqlite { pool, .. } => sqlite::counts(pool, &queue).await?,
            };
            out.push(QueueStats { queue, kind, pool: kind.pool(), depth, scheduled, running });
        }
        Ok(out)
    }

    /// A cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<(), QueueError> {
        match self {
            Queues::Redis { conn, .. } => {
                let mut c = conn.clone();
                let _: String = ::redis::cmd("PING").query_async(&mut c).await?;
            }
            Queues::Sqlite { pool, .. } => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Drops the bookkeeping of finished tasks so the queue does not grow
    /// forever; finished results live in the store.
    pub async fn trim_finished(&self, older_than: Duration) -> Result<u64, QueueError> {
        let mut n = 0;
        for kind in JobKind::ALL {
            let queue = self.settings().queue_name(kind);
            n += match self {
                Queues::Redis { conn, .. } => redis::trim_done(conn.clone(), &queue).await?,
                Queues::Sqlite { pool, .. } => sqlite::trim_done(pool, &queue, older_than).await?,
            };
        }
        Ok(n)
    }
}
