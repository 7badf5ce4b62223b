//! Jobs per kind and state for the `meeteasy_jobs` gauge, counted by one
//! process for the whole deployment.
//!
//! Why: the count is an aggregation over the whole jobs collection. Every
//! API and worker process refreshing it on its own multiplies that scan by
//! the number of processes (four processes at 10,000 jobs kept SecantusDB
//! busy for about a second every 15 s each; on MongoDB the scan grows with
//! the collection just the same). On Redis the process that takes a short
//! lock counts and leaves the result in Redis; the others read it, so every
//! process still reports the same numbers. Embedded, the one process counts.

use std::time::Duration;

use meeteasy_models::{JobKind, JobStatus};
use serde::{Deserialize, Serialize};

use crate::JobControl;
use crate::queue::Queues;

/// One row of the counts: jobs of `kind` in `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCount {
    pub kind: JobKind,
    pub status: JobStatus,
    pub n: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CountsError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("stored counts unreadable: {0}")]
    Decode(#[from] serde_json::Error),
}

/// The deployment's job counts, at most about `every` old. `None` when
/// another process is counting and has not published yet (the caller keeps
/// its previous figures).
pub async fn job_counts(jobs: &JobControl, every: Duration) -> Result<Option<Vec<JobCount>>, CountsError> {
    let Queues::Redis { conn, settings } = &jobs.queues else {
        return Ok(Some(count(jobs).await?));
    };
    let mut c = conn.clone();
    let key = format!("{}:stats:job_counts", settings.namespace);
    let hold = u64::try_from(every.as_millis()).unwrap_or(15_000).max(1_000);
    let leader: Option<String> = redis::cmd("SET")
        .arg(format!("{key}:lock"))
        .arg(std::process::id())
        .arg("NX")
        .arg("PX")
        .arg(hold)
        .query_async(&mut c)
        .await?;
    if leader.is_some() {
        let rows = count(jobs).await?;
        let _: () = redis::cmd("SET")
            .arg(&key)
            .arg(serde_json::to_string(&rows)?)
            .arg("PX")
            .arg(hold.saturating_mul(3))
            .query_async(&mut c)
            .await?;
        return Ok(Some(rows));
    }
    let cached: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut c).await?;
    Ok(cached.map(|s| serde_json::from_str(&s)).transpose()?)
}

async fn count(jobs: &JobControl) -> Result<Vec<JobCount>, crate::store::StoreError> {
    let rows = jobs.store.count_by_status(None).await?;
    Ok(rows.into_iter().map(|(kind, status, n)| JobCount { kind, status, n }).collect())
}
