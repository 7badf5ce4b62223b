//! Analytics events and rollups in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use meeteasy_models::analytics::{Bucket, Counts, Event, Granularity};
use meeteasy_models::{JobId, TenantId};
use meeteasy_pipelines::analytics::{RollupStore, StoredEvent};
use sqlx::Row;

use super::{SqliteStore, from_micros, micros};
use crate::store::{AnalyticsStore, StoreError};

fn counts_from_rows(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Counts, StoreError> {
    let mut counts = Counts::new();
    for row in rows {
        let ty: String = row.try_get(0)?;
        let n: i64 = row.try_get(1)?;
        counts.insert(ty, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

#[async_trait]
impl RollupStore for SqliteStore {
    type Error = StoreError;

    async fn job_events(&self, tenant: &TenantId, job: JobId) -> Result<Vec<StoredEvent>, StoreError> {
        let rows =
            sqlx::query("SELECT conference_id, ts, type FROM analytics_events WHERE tenant_id = ? AND job_id = ?")
                .bind(tenant.as_str())
                .bind(job.to_string())
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    conference_id: r.try_get(0)?,
                    ts: from_micros(r.try_get(1)?)?,
                    event_type: r.try_get(2)?,
                })
            })
            .collect()
    }

    async fn raise_minute_part(
        &self,
        tenant: &TenantId,
        conf: &str,
        start: DateTime<Utc>,
        job: JobId,
        counts: &Counts,
    ) -> Result<Counts, StoreError> {
        let mut tx = self.pool.begin().await?;
        for (ty, n) in counts {
            sqlx::query(
                "INSERT INTO analytics_parts (tenant_id, conference_id, bucket_start, job_id, type, count) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO UPDATE SET count = MAX(count, excluded.count)",
            )
            .bind(tenant.as_str())
            .bind(conf)
            .bind(micros(start))
            .bind(job.to_string())
            .bind(ty)
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        let rows = sqlx::query(
            "SELECT type, SUM(count) FROM analytics_parts WHERE tenant_id = ? AND conference_id = ? AND bucket_start = ? GROUP BY type",
        )
        .bind(tenant.as_str())
        .bind(conf)
        .bind(micros(start))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        counts_from_rows(rows)
    }

    async fn sum_rollups(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, StoreError> {
        let rows = sqlx::query(
            "SELECT type, SUM(count) FROM analytics_rollups WHERE tenant_id = ? AND conference_id = ? AND granularity = ? \
             AND bucket_start >= ? AND bucket_start < ? GROUP BY type",
        )
        .bind(tenant.as_str())
        .bind(conf)
        .bind(g.as_str())
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&self.pool)
        .await?;
        counts_from_rows(rows)
    }

    async fn raise_rollup(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        start: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (ty, n) in counts {
            sqlx::query(
                "INSERT INTO analytics_rollups (tenant_id, conference_id, granularity, bucket_start, type, count) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO UPDATE SET count = MAX(count, excluded.count)",
            )
            .bind(tenant.as_str())
            .bind(conf)
            .bind(g.as_str())
            .bind(micros(start))
            .bind(ty)
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl AnalyticsStore for SqliteStore {
    async fn insert_events(&self, tenant: &TenantId, job: JobId, events: &[Event]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut new = 0;
        for e in events {
            new += sqlx::query(
                "INSERT INTO analytics_events (tenant_id, event_id, conference_id, type, ts, attrs, job_id) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(tenant.as_str())
            .bind(&e.event_id)
            .bind(&e.conference_id)
            .bind(&e.event_type)
            .bind(micros(e.ts))
            .bind(e.attrs.to_string())
            .bind(job.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn rollups(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bucket>, StoreError> {
        let rows = sqlx::query(
            "SELECT bucket_start, type, count FROM analytics_rollups WHERE tenant_id = ? AND conference_id = ? AND granularity = ? \
             AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start, type",
        )
        .bind(tenant.as_str())
        .bind(conf)
        .bind(g.as_str())
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&self.pool)
        .await?;
        let mut buckets: Vec<Bucket> = Vec::new();
        for row in rows {
            let start = from_micros(row.try_get(0)?)?;
            let ty: String = row.try_get(1)?;
            let n = u64::try_from(row.try_get::<i64, _>(2)?).unwrap_or(0);
            match buckets.last_mut() {
                Some(b) if b.start == start => {
                    b.counts.insert(ty, n);
                }
                _ => buckets.push(Bucket { start, counts: [(ty, n)].into_iter().collect() }),
            }
        }
        Ok(buckets)
    }
}
