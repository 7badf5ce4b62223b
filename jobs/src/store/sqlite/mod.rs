//! The embedded store: SQLite for records, a content-addressed folder for
//! files.
//!
//! Durability promise: the store database runs in WAL mode with
//! `synchronous = FULL`, so a job result acknowledged to a client survives a
//! process crash *and* a power loss. (The embedded queue is a separate file;
//! see `queue::sqlite` for its settings.)

mod analytics;
mod blobs;
mod delivery;
mod documents;
mod jobs;
mod tickets;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::{Store, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/store");

/// SQLite + local-folder store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    blob_dir: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) `<data_dir>/store.sqlite` and
    /// `<data_dir>/blobs/`, and brings the schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let blob_dir = data_dir.join("blobs");
        std::fs::create_dir_all(blob_dir.join("tmp"))?;
        let opts = SqliteConnectOptions::from_str("sqlite://")?
            .filename(data_dir.join("store.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, blob_dir })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(v: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(v).ok_or_else(|| StoreError::corrupt("timestamp out of range"))
}
