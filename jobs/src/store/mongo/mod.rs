//! The production store: MongoDB 7+ through the `mongodb` 3.x driver, files
//! in GridFS.
//!
//! Only features that MongoDB and the SecantusDB test server both support are
//! used: plain CRUD, `$max`/`$set`/`$inc`, unique compound indexes and simple
//! aggregation pipelines. No transactions are needed: job transitions are
//! single-document compare-and-set updates, and rollups are written with `$max`
//! (see `pipelines::analytics` for why that is safe).

mod analytics;
mod blobs;
mod delivery;
mod documents;
mod insert_batch;
mod jobs;

use async_trait::async_trait;
use bson::doc;
use mongodb::options::IndexOptions;
use mongodb::{Client, Database, IndexModel};

use super::{Store, StoreError};

/// MongoDB + GridFS store.
#[derive(Debug, Clone)]
pub struct MongoStore {
    db: Database,
    /// Job inserts, written in groups (see `insert_batch`).
    job_inserts: insert_batch::InsertBatcher<jobs::JobDoc>,
}

/// The database name used when the URL has no path.
pub const DEFAULT_DB: &str = "meeteasy";

impl MongoStore {
    /// Connects, picks the database from the URL path (default `meeteasy`) and
    /// creates every index the queries rely on.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::with_uri_str(url).await?;
        let db = client.default_database().unwrap_or_else(|| client.database(DEFAULT_DB));
        let store = Self::on(db);
        store.ensure_indexes().await?;
        Ok(store)
    }

    /// Connects to an explicit database (tests use one database each).
    pub async fn connect_db(url: &str, db_name: &str) -> Result<Self, StoreError> {
        let client = Client::with_uri_str(url).await?;
        let store = Self::on(client.database(db_name));
        store.ensure_indexes().await?;
        Ok(store)
    }

    fn on(db: Database) -> Self {
        let job_inserts = insert_batch::InsertBatcher::start(db.collection("jobs"));
        Self { db, job_inserts }
    }

    async fn ensure_indexes(&self) -> Result<(), StoreError> {
        let unique = || IndexOptions::builder().unique(true).build();
        let idx = |keys, opts: Option<IndexOptions>| IndexModel::builder().keys(keys).options(opts).build();
        let plan: [(&str, Vec<IndexModel>); 7] = [
            (
                "jobs",
                // Each secondary index costs every insert and every
                // transition (SecantusDB rewrites all of a document's index
                // entries on each update), so only those a query needs (see
                // the README's "Store indexes" for what each one costs):
                vec![
                    // Idempotency (`create_job`).
                    idx(doc! {"tenant_id": 1, "idem": 1}, Some(unique())),
                    // `GET /v1/jobs`, newest first; a kind filter rides on it.
                    idx(doc! {"tenant_id": 1, "created_at": -1}, None),
                    // `GET /v1/jobs?status=` (failed and dead jobs are few).
                    idx(doc! {"tenant_id": 1, "status": 1, "created_at": -1}, None),
                    // An attendee's own jobs (`GET /v1/jobs` scoped by creator).
                    idx(doc! {"tenant_id": 1, "created_by": 1, "created_at": -1}, None),
                    // The sweeper (`stale_jobs`): two equalities and a range.
                    idx(doc! {"status": 1, "kind": 1, "updated_at": 1}, None),
                    // A fan-in's children (`list_children`, `count_open_children`).
                    idx(doc! {"parent": 1, "status": 1}, None),
                ],
            ),
            (
                "analytics_events",
                vec![
                    idx(doc! {"tenant_id": 1, "event_id": 1}, Some(unique())),
                    idx(doc! {"tenant_id": 1, "conference_id": 1, "ts": 1}, None),
                    // A job's own events (`job_events`).
                    idx(doc! {"tenant_id": 1, "job_id": 1}, None),
                ],
            ),
            (
                "analytics_rollups",
                vec![idx(
                    doc! {"tenant_id": 1, "conference_id": 1, "granularity": 1, "bucket_start": 1},
                    Some(unique()),
                )],
            ),
            ("fs.files", vec![idx(doc! {"metadata.tenant_id": 1, "_id": 1}, None)]),
            (
                "notifications",
                vec![idx(doc! {"tenant_id": 1, "job_id": 1, "channel": 1, "recipient": 1}, Some(unique()))],
            ),
            ("webhooks", vec![idx(doc! {"tenant_id": 1, "created_at": 1}, None)]),
            ("documents", vec![idx(doc! {"tenant_id": 1, "_id": 1}, None)]),
        ];
        for (coll, models) in plan {
            self.db.collection::<bson::Document>(coll).create_indexes(models).await?;
        }
        // Indexes of earlier versions that no query uses any more: each
        // would still cost every write. One listing, then only those present.
        let jobs = self.db.collection::<bson::Document>("jobs");
        for name in jobs.list_index_names().await? {
            if RETIRED_JOB_INDEXES.contains(&name.as_str())
                && let Err(e) = jobs.drop_index(name.as_str()).await
            {
                // Another process starting at the same time dropped it.
                tracing::debug!(index = %name, error = %e, "retired index not dropped");
            }
        }
        Ok(())
    }
}

/// Job indexes that earlier versions created.
const RETIRED_JOB_INDEXES: &[&str] =
    &["tenant_id_1_kind_1_created_at_-1", "kind_1_status_1", "status_1_updated_at_-1", "tenant_id_1_parent_1_status_1"];

#[async_trait]
impl Store for MongoStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.db.run_command(doc! {"ping": 1}).await?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "mongodb"
    }
}

/// Whether a driver error is a duplicate-key violation (code 11000).
pub(crate) fn is_duplicate_key(err: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == 11000,
        ErrorKind::Command(e) => e.code == 11000,
        _ => err.to_string().contains("E11000"),
    }
}

pub(crate) fn bson_date(t: chrono::DateTime<chrono::Utc>) -> bson::DateTime {
    bson::DateTime::from_millis(t.timestamp_millis())
}

/// A count from an aggregation: `$sum` yields Int32 or Int64 (or Double
/// after a merge), depending on the server and the magnitude.
pub(crate) fn bson_u64(b: Option<&bson::Bson>) -> u64 {
    match b {
        Some(bson::Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(bson::Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        Some(bson::Bson::Double(n)) if *n >= 0.0 => *n as u64,
        _ => 0,
    }
}
