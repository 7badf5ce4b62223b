//! The document store: the source of truth for job records, analytics and
//! blobs.
//!
//! Why a store separate from the queue: the queue (Redis or the embedded
//! SQLite queue) is a delivery mechanism and may lose or re-deliver messages;
//! the store is what the API reads and what survives a Redis loss. Workers
//! mirror every job transition into it with compare-and-set updates.
//!
//! There are two implementations behind one trait: MongoDB (production, files
//! in GridFS) and SQLite (the embedded default, files in a content-addressed
//! folder). Every method takes the tenant and every query filters by it; the
//! only unscoped reads are the operator-wide counters behind `/metrics`.

mod delivery;
mod error;
pub mod mongo;
mod record;
pub mod sqlite;
pub mod timed;
mod webhook_cache;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use meeteasy_models::analytics::{Bucket, Event, Granularity};
use meeteasy_models::page::PageRequest;
use meeteasy_models::{DocumentRecord, JobId, JobKind, JobStatus, TenantId};
use meeteasy_pipelines::analytics::RollupStore;
use serde::{Deserialize, Serialize};

pub use delivery::{DeliveryKey, DeliveryRecord, DeliveryStatus, Webhook};
pub use error::StoreError;
pub use record::{AttemptChange, Created, ErrorPatch, JobFilter, JobPage, JobRecord, Transition, now};

/// Job records.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Inserts `record`, unless the tenant already has a job with the same
    /// idempotency key, in which case that job is returned untouched.
    async fn create_job(&self, record: JobRecord) -> Result<Created, StoreError>;

    /// Reads a job of `tenant`; `None` for an unknown id or another tenant's.
    async fn get_job(&self, tenant: &TenantId, id: JobId) -> Result<Option<JobRecord>, StoreError>;

    /// Reads a job of any tenant. Only for `super_admin` reads and workers,
    /// which carry the tenant in the payload anyway.
    async fn get_job_any_tenant(&self, id: JobId) -> Result<Option<JobRecord>, StoreError>;

    async fn list_jobs(&self, tenant: &TenantId, filter: &JobFilter, page: PageRequest) -> Result<JobPage, StoreError>;

    /// Applies `t` if the job is still in one of `t.from`; returns the new
    /// record, or `None` when the job moved on (or does not exist).
    async fn transition(&self, t: Transition) -> Result<Option<JobRecord>, StoreError>;

    /// Up to `limit` jobs of `kind` in `status`, of any tenant, unchanged
    /// since before `before`, oldest first (the sweeper's query).
    async fn stale_jobs(
        &self,
        kind: JobKind,
        status: JobStatus,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError>;

    /// Jobs per kind and status of `tenant`, or across tenants with `None`
    /// (`/metrics`, operators).
    /// The children of a fan-in parent (records whose `parent` is `parent`).
    async fn list_children(&self, tenant: &TenantId, parent: JobId) -> Result<Vec<JobRecord>, StoreError>;
    /// How many children of `parent` have not ended yet (one indexed count).
    async fn count_open_children(&self, tenant: &TenantId, parent: JobId) -> Result<u64, StoreError>;
    async fn count_by_status(&self, tenant: Option<&TenantId>) -> Result<Vec<(JobKind, JobStatus, u64)>, StoreError>;

    /// Jobs per kind that succeeded at or after `since`, of `tenant` or
    /// across tenants (queue throughput).
    async fn count_succeeded_since(
        &self,
        since: DateTime<Utc>,
        tenant: Option<&TenantId>,
    ) -> Result<Vec<(JobKind, u64)>, StoreError>;
}

/// Analytics events and rollups (the rollup arithmetic lives in `pipelines`).
#[async_trait]
pub trait AnalyticsStore: RollupStore<Error = StoreError> + Send + Sync {
    /// Stores raw events, skipping `(tenant, event_id)` pairs already stored.
    /// Returns how many were new.
    async fn insert_events(&self, tenant: &TenantId, job: JobId, events: &[Event]) -> Result<u64, StoreError>;

    /// Buckets of `granularity` whose start lies in `[from, to)`, in order.
    async fn rollups(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bucket>, StoreError>;
}

/// Metadata of a stored file. Jobs carry a `BlobId`, never bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A reference to a stored file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BlobId(pub String);

/// Files: GridFS in MongoDB, a content-addressed folder when embedded.
#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put_blob(
        &self,
        tenant: &TenantId,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(BlobId, BlobMeta), StoreError>;
    async fn get_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<Option<(BlobMeta, Vec<u8>)>, StoreError>;
    async fn delete_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<bool, StoreError>;
}

/// Send-status records (see `notify::claim` for how they are used).
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Inserts a record with `status` unless one exists; true if inserted.
    async fn insert_delivery(&self, key: &DeliveryKey, status: DeliveryStatus) -> Result<bool, StoreError>;
    async fn get_delivery(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, StoreError>;
    /// Moves a record from `from` to `to`; false if it was not in `from`.
    async fn cas_delivery(
        &self,
        key: &DeliveryKey,
        from: DeliveryStatus,
        to: DeliveryStatus,
        detail: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn deliveries(&self, tenant: &TenantId, job: JobId) -> Result<Vec<DeliveryRecord>, StoreError>;
}

/// Webhook endpoints.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, hook: &Webhook) -> Result<(), StoreError>;
    async fn list_webhooks(&self, tenant: &TenantId) -> Result<Vec<Webhook>, StoreError>;
    /// The endpoints a delivery goes to: `list_webhooks`, possibly a few
    /// seconds old (`TimedStore` caches it; see `webhook_cache`).
    async fn webhooks_for_delivery(&self, tenant: &TenantId) -> Result<Arc<Vec<Webhook>>, StoreError> {
        Ok(Arc::new(self.list_webhooks(tenant).await?))
    }
    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> Result<Option<Webhook>, StoreError>;
    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError>;
}

/// Document records (`documents`). Files (source, PDF, text) are blobs.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Inserts `rec` unless a document with its id exists; true if inserted.
    async fn insert_document(&self, rec: &DocumentRecord) -> Result<bool, StoreError>;
    /// Inserts or replaces `rec`.
    async fn save_document(&self, rec: &DocumentRecord) -> Result<(), StoreError>;
    async fn get_document(&self, tenant: &TenantId, id: JobId) -> Result<Option<DocumentRecord>, StoreError>;
}

/// Everything the platform needs from a store.
#[async_trait]
pub trait Store: JobStore + AnalyticsStore + BlobStore + DeliveryStore + WebhookStore + DocumentStore {
    /// A cheap round trip for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;
    fn backend_name(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
