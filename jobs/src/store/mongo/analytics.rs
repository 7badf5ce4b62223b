//! Analytics events and rollups in MongoDB.
//!
//! Rollup documents hold one bucket each: `{tenant_id, conference_id,
//! granularity, bucket_start, counts: {<type>: n}}`. Event types are
//! validated key-safe (no `.` or `$`) before they get here.

use async_trait::async_trait;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use meeteasy_models::analytics::{Bucket, Counts, Event, Granularity};
use meeteasy_models::{JobId, TenantId};
use meeteasy_pipelines::analytics::RollupStore;
use mongodb::Collection;
use mongodb::error::ErrorKind;

use super::{MongoStore, bson_date, bson_u64};
use crate::store::{AnalyticsStore, StoreError};

fn counts_of(doc: &Document) -> Counts {
    doc.get_document("counts")
        .map(|c| c.iter().map(|(k, v)| (k.clone(), bson_u64(Some(v)))).collect())
        .unwrap_or_default()
}

impl MongoStore {
    fn events(&self) -> Collection<Document> {
        self.db.collection("analytics_events")
    }

    fn rollup_coll(&self) -> Collection<Document> {
        self.db.collection("analytics_rollups")
    }

    async fn find_rollups(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Document>, StoreError> {
        let filter = doc! {
            "tenant_id": tenant.as_str(),
            "conference_id": conf,
            "granularity": g.as_str(),
            "bucket_start": {"$gte": bson_date(from), "$lt": bson_date(to)},
        };
        Ok(self.rollup_coll().find(filter).sort(doc! {"bucket_start": 1}).await?.try_collect().await?)
    }
}

#[async_trait]
impl RollupStore for MongoStore {
    type Error = StoreError;

    async fn count_raw(
        &self,
        tenant: &TenantId,
        conf: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, StoreError> {
        let pipeline = vec![
            doc! {"$match": {
                "tenant_id": tenant.as_str(),
                "conference_id": conf,
                "ts": {"$gte": bson_date(from), "$lt": bson_date(to)},
            }},
            doc! {"$group": {"_id": "$type", "n": {"$sum": 1}}},
        ];
        let rows: Vec<Document> = self.events().aggregate(pipeline).await?.try_collect().await?;
        Ok(rows.iter().filter_map(|r| r.get_str("_id").ok().map(|t| (t.to_string(), bson_u64(r.get("n"))))).collect())
    }

    async fn sum_rollups(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, StoreError> {
        let mut total = Counts::new();
        for d in self.find_rollups(tenant, conf, g, from, to).await? {
            for (k, v) in counts_of(&d) {
                *total.entry(k).or_default() += v;
            }
        }
        Ok(total)
    }

    async fn raise_rollup(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        start: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<(), StoreError> {
        let mut max = Document::new();
        for (ty, n) in counts {
            max.insert(format!("counts.{ty}"), i64::try_from(*n).unwrap_or(i64::MAX));
        }
        let filter = doc! {
            "tenant_id": tenant.as_str(),
            "conference_id": conf,
            "granularity": g.as_str(),
            "bucket_start": bson_date(start),
        };
        self.rollup_coll().update_one(filter, doc! {"$max": max}).upsert(true).await?;
        Ok(())
    }
}

#[async_trait]
impl AnalyticsStore for MongoStore {
    async fn insert_events(&self, tenant: &TenantId, job: JobId, events: &[Event]) -> Result<u64, StoreError> {
        if events.is_empty() {
            return Ok(0);
        }
        let mut docs = Vec::with_capacity(events.len());
        for e in events {
            docs.push(doc! {
                "tenant_id": tenant.as_str(),
                "event_id": &e.event_id,
                "conference_id": &e.conference_id,
                "type": &e.event_type,
                "ts": bson_date(e.ts),
                "attrs": bson::to_bson(&e.attrs).map_err(StoreError::corrupt)?,
                "job_id": job.to_string(),
            });
        }
        let n = docs.len() as u64;
        match self.events().insert_many(docs).ordered(false).await {
            Ok(r) => Ok(r.inserted_ids.len() as u64),
            Err(e) => match e.kind.as_ref() {
                ErrorKind::InsertMany(m) => {
                    let errors = m.write_errors.as_deref().unwrap_or_default();
                    if m.write_concern_error.is_none() && errors.iter().all(|w| w.code == 11000) {
                        Ok(n - errors.len() as u64)
                    } else {
                        Err(e.into())
                    }
                }
                _ => Err(e.into()),
            },
        }
    }

    async fn rollups(
        &self,
        tenant: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bucket>, StoreError> {
        let mut out = Vec::new();
        for d in self.find_rollups(tenant, conf, g, from, to).await? {
            let start = d.get_datetime("bucket_start").map_err(StoreError::corrupt)?.to_chrono();
            out.push(Bucket { start, counts: counts_of(&d) });
        }
        Ok(out)
    }
}
