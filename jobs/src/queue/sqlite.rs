//! The embedded queue: apalis-sqlite's `Jobs` table in `queue.sqlite`.
//!
//! Durability: apalis's `setup` switches the connection it runs on to
//! `synchronous = OFF`. We run `setup` on a throw-away connection and open the
//! real pool with `synchronous = NORMAL` in WAL mode: a process crash loses
//! nothing, a power loss may lose the last queue writes. The store (a separate
//! file, `synchronous = FULL`) keeps every job record either way.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use apalis_sqlite::SqliteStorage;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::QueueError;

pub(super) async fn open(data_dir: &Path) -> Result<SqlitePool, QueueError> {
    std::fs::create_dir_all(data_dir)?;
    let opts = SqliteConnectOptions::from_str("sqlite://")?
        .filename(data_dir.join("queue.sqlite"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    let setup_pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
    SqliteStorage::<()>::setup(&setup_pool).await.map_err(|e| QueueError::Setup(e.to_string()))?;
    setup_pool.close().await;
    let pool =
        SqlitePoolOptions::new().max_connections(8).connect_with(opts.synchronous(SqliteSynchronous::Normal)).await?;
    Ok(pool)
}

pub(super) async fn counts(pool: &SqlitePool, q: &str) -> Result<(u64, u64, u64), QueueError> {
    let rows = sqlx::query(
        "SELECT \
           SUM(CASE WHEN status IN ('Pending', 'Queued') AND run_at <= strftime('%s','now') THEN 1 ELSE 0 END), \
           SUM(CASE WHEN status IN ('Pending', 'Queued', 'Failed') AND run_at > strftime('%s','now') THEN 1 ELSE 0 END), \
           SUM(CASE WHEN status = 'Running' THEN 1 ELSE 0 END) \
         FROM Jobs WHERE job_type = ?",
    )
    .bind(q)
    .fetch_one(pool)
    .await?;
    let get = |i: usize| rows.try_get::<Option<i64>, _>(i).map(|v| u64::try_from(v.unwrap_or(0)).unwrap_or(0));
    Ok((get(0)?, get(1)?, get(2)?))
}

pub(super) async fn trim_done(pool: &SqlitePool, q: &str, older_than: Duration) -> Result<u64, QueueError> {
    let cutoff = chrono::Utc::now().timestamp() - i64::try_from(older_than.as_secs()).unwrap_or(0);
    let r =
        sqlx::query("DELETE FROM Jobs WHERE job_type = ? AND status = 'Done' AND done_at IS NOT NULL AND done_at < ?")
            .bind(q)
            .bind(cutoff)
            .execute(pool)
            .await?;
    Ok(r.rows_affected())
}
