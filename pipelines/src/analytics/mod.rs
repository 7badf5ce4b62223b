//! Rollups of analytics events by minute, hour and day.
//!
//! Why rollups are *recomputed* instead of incremented: a worker can die after
//! it stored a batch's raw events but before it bumped the counters. When the
//! job re-runs, the raw events are duplicates, so "increment for each new
//! event" would lose those counts, and "increment for each event" would
//! double-count. Instead, each affected minute bucket is recounted from the raw
//! events, each affected hour is re-summed from its minutes, and each day from
//! its hours. Every write is a per-type *maximum* (`$max` in MongoDB,
//! `MAX(old, new)` in SQLite): counts only ever grow, so a slow job writing a
//! stale recount can never lower a bucket, and the job that finishes last has
//! seen everything. The result is idempotent and safe under concurrency
//! without multi-document transactions.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use meeteasy_models::TenantId;
use meeteasy_models::analytics::{Counts, Event, Granularity};

/// What the rollup engine needs from a store.
#[async_trait]
pub trait RollupStore: Send + Sync {
    type Error: std::error::Error + Send + Sync + 'static;

    /// Counts raw events of one conference with `from <= ts < to`, per type.
    async fn count_raw(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, Self::Error>;

    /// Sums stored rollups of `granularity` whose start is in `[from, to)`.
    async fn sum_rollups(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, Self::Error>;

    /// Raises each per-type count of one bucket to at least `counts`.
    async fn raise_rollup(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        start: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<(), Self::Error>;
}

/// Drops repeated event ids inside one batch, keeping the first occurrence.
pub fn dedup_batch(events: Vec<Event>) -> Vec<Event> {
    let mut seen = BTreeSet::new();
    events.into_iter().filter(|e| seen.insert(e.event_id.clone())).collect()
}

/// The buckets a batch touches, per granularity, finest first.
pub fn affected_buckets(events: &[Event], granularity: Granularity) -> BTreeSet<(String, DateTime<Utc>)> {
    events.iter().map(|e| (e.conference_id.clone(), granularity.bucket_start(e.ts))).collect()
}

/// Brings every bucket touched by `events` up to date. Safe to call again
/// with the same events, and concurrently with other batches.
pub async fn refresh_rollups<S: RollupStore + ?Sized>(
    store: &S,
    tenant: &TenantId,
    events: &[Event],
) -> Result<(), S::Error> {
    for granularity in Granularity::ALL {
        for (conference_id, start) in affected_buckets(events, granularity) {
            let end = start + granularity.width();
            let counts = match granularity.finer() {
                None => store.count_raw(tenant, &conference_id, start, end).await?,
                Some(finer) => store.sum_rollups(tenant, &conference_id, finer, start, end).await?,
            };
            if !counts.is_empty() {
                store.raise_rollup(tenant, &conference_id, granularity, start, &counts).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
