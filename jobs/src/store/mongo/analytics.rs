//! Analytics events and rollups in MongoDB.
//!
//! Rollup documents hold one bucket each: `{tenant_id, conference_id,
//! granularity, bucket_start, counts: {<type>: n}}`; a minute also holds its
//! per-job parts, `parts: {<job id>: {<type>: n}}`, and `v: 2` (minutes
//! written before parts existed have neither; their count becomes a
//! `legacy` part when a batch first lands in them). Event types are
//! validated key-safe (no `.` or `$`) before they get here.

use async_trait::async_trait;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use meeteasy_models::analytics::{Bucket, Counts, Event, Granularity};
use meeteasy_models::{JobId, TenantId};
use meeteasy_pipelines::analytics::{RollupStore, StoredEvent};
use mongodb::Collection;
use mongodb::error::ErrorKind;

use super::{MongoStore, bson_date, bson_u64, is_duplicate_key};
use crate::store::{AnalyticsStore, StoreError};

fn counts_of(doc: &Document) -> Counts {
    doc.get_document("counts")
        .map(|c| c.iter().map(|(k, v)| (k.clone(), bson_u64(Some(v)))).collect())
        .unwrap_or_default()
}

impl MongoStore {
    /// Turns a minute counted before parts existed into a `v: 2` minute
    /// whose `legacy` part is its count.
    async fn adopt_legacy_minute(&self, key: &Document) -> Result<(), StoreError> {
        let Some(old) = self.rollup_coll().find_one(key.clone()).await? else { return Ok(()) };
        let mut set = doc! {"v": 2};
        for (ty, n) in counts_of(&old) {
            set.insert(format!("parts.legacy.{ty}"), i64::try_from(n).unwrap_or(i64::MAX));
        }
        let mut legacy = key.clone();
        legacy.insert("v", doc! {"$exists": false});
        self.rollup_coll().update_one(legacy, doc! {"$set": set}).await?;
        Ok(())
    }

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
        // Without the minutes' parts: sums and reads need only the counts.
        let coll = self.rollup_coll();
        let rows = coll.find(filter).projection(doc! {"parts": 0}).sort(doc! {"bucket_start": 1}).await?;
        Ok(rows.try_collect().await?)
    }
}

#[async_trait]
impl RollupStore for MongoStore {
    type Error = StoreError;

    async fn job_events(&self, tenant: &TenantId, job: JobId) -> Result<Vec<StoredEvent>, StoreError> {
        let filter = doc! {"tenant_id": tenant.as_str(), "job_id": job.to_string()};
        let docs: Vec<Document> = self
            .events()
            .find(filter)
            .projection(doc! {"_id": 0, "conference_id": 1, "ts": 1, "type": 1})
            .await?
            .try_collect()
            .await?;
        docs.iter()
            .map(|d| {
                Ok(StoredEvent {
                    conference_id: d.get_str("conference_id").map_err(StoreError::corrupt)?.to_string(),
                    ts: d.get_datetime("ts").map_err(StoreError::corrupt)?.to_chrono(),
                    event_type: d.get_str("type").map_err(StoreError::corrupt)?.to_string(),
                })
            })
            .collect()
    }

    /// An upsert of the part on the `v: 2` document, then a read of the
    /// parts. A minute counted before parts existed (no `v`) makes the
    /// upsert collide with it on the unique bucket index; its count then
    /// becomes the `legacy` part and the upsert runs again.
    async fn raise_minute_part(
        &self,
        tenant: &TenantId,
        conf: &str,
        start: DateTime<Utc>,
        job: JobId,
        counts: &Counts,
    ) -> Result<Counts, StoreError> {
        let key = doc! {
            "tenant_id": tenant.as_str(),
            "conference_id": conf,
            "granularity": Granularity::Minute.as_str(),
            "bucket_start": bson_date(start),
        };
        let mut max = Document::new();
        for (ty, n) in counts {
            max.insert(format!("parts.{job}.{ty}"), i64::try_from(*n).unwrap_or(i64::MAX));
        }
        let mut current = key.clone();
        current.insert("v", 2);
        for _ in 0..3 {
            match self.rollup_coll().update_one(current.clone(), doc! {"$max": max.clone()}).upsert(true).await {
                Ok(_) => break,
                Err(e) if is_duplicate_key(&e) => self.adopt_legacy_minute(&key).await?,
                Err(e) => return Err(e.into()),
            }
        }
        let doc = self.rollup_coll().find_one(key).projection(doc! {"parts": 1}).await?;
        let mut total = Counts::new();
        if let Some(parts) = doc.as_ref().and_then(|d| d.get_document("parts").ok()) {
            for (_, part) in parts {
                for (ty, n) in part.as_document().into_iter().flatten() {
                    *total.entry(ty.clone()).or_default() += bson_u64(Some(n));
                }
            }
        }
        Ok(total)
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
