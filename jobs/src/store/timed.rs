//! Deadlines on every store operation.
//!
//! Why: the MongoDB driver has no socket timeout (the Rust driver does not
//! support `socketTimeoutMS`), so a server that accepts a request and never
//! answers would hold a worker slot or an API request forever, with nothing
//! in the logs. `TimedStore` wraps any store and gives each operation a
//! deadline: `store.op_timeout_secs` for records, `store.blob_timeout_secs`
//! for files (which move megabytes). A late operation fails with
//! `StoreError::Timeout`, which jobs retry and the API answers as `503`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use meeteasy_models::analytics::{Bucket, Counts, Event, Granularity};
use meeteasy_models::page::PageRequest;
use meeteasy_models::{DocumentRecord, JobId, JobKind, JobStatus, TenantId};
use meeteasy_pipelines::analytics::RollupStore;
use serde::{Deserialize, Serialize};

use super::*;

/// Deadlines of store operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreSettings {
    /// Seconds one record operation may take.
    pub op_timeout_secs: u64,
    /// Seconds one file (blob) read or write may take.
    pub blob_timeout_secs: u64,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self { op_timeout_secs: 15, blob_timeout_secs: 300 }
    }
}

/// A store whose every operation has a deadline.
pub struct TimedStore {
    inner: DynStore,
    op: Duration,
    blob: Duration,
    /// Endpoints per tenant for deliveries (see `webhook_cache`).
    webhooks: super::webhook_cache::WebhookCache,
}

impl std::fmt::Debug for TimedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedStore").field("op", &self.op).field("blob", &self.blob).finish_non_exhaustive()
    }
}

impl TimedStore {
    pub fn wrap(inner: DynStore, s: &StoreSettings) -> DynStore {
        let secs = |n: u64| Duration::from_secs(n.max(1));
        std::sync::Arc::new(Self {
            inner,
            op: secs(s.op_timeout_secs),
            blob: secs(s.blob_timeout_secs),
            webhooks: Default::default(),
        })
    }
}

/// Runs `call` under `limit`, counting and naming the operation that ran late.
async fn within<T>(
    limit: Duration,
    op: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    // Every store call, by operation: store work per job is otherwise
    // invisible (`meeteasy_store_transition_reads_total` adds the reads a
    // compare-and-set needed).
    metrics::counter!("meeteasy_store_calls_total", "op" => op).increment(1);
    match tokio::time::timeout(limit, call).await {
        Ok(r) => r,
        Err(_) => {
            metrics::counter!("meeteasy_store_timeouts_total", "op" => op).increment(1);
            tracing::warn!(op, ?limit, "store operation timed out");
            Err(StoreError::Timeout { op, after: limit })
        }
    }
}

#[async_trait]
impl JobStore for TimedStore {
    async fn create_job(&self, record: JobRecord) -> Result<Created, StoreError> {
        within(self.op, "create_job", self.inner.create_job(record)).await
    }
    async fn get_job(&self, tenant: &TenantId, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        within(self.op, "get_job", self.inner.get_job(tenant, id)).await
    }
    async fn get_job_any_tenant(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        within(self.op, "get_job_any_tenant", self.inner.get_job_any_tenant(id)).await
    }
    async fn list_jobs(&self, tenant: &TenantId, filter: &JobFilter, page: PageRequest) -> Result<JobPage, StoreError> {
        within(self.op, "list_jobs", self.inner.list_jobs(tenant, filter, page)).await
    }
    async fn transition(&self, t: Transition) -> Result<Option<JobRecord>, StoreError> {
        within(self.op, "transition", self.inner.transition(t)).await
    }
    async fn stale_jobs(
        &self,
        kind: JobKind,
        status: JobStatus,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError> {
        within(self.op, "stale_jobs", self.inner.stale_jobs(kind, status, before, limit)).await
    }
    async fn list_children(&self, tenant: &TenantId, parent: JobId) -> Result<Vec<JobRecord>, StoreError> {
        within(self.op, "list_children", self.inner.list_children(tenant, parent)).await
    }
    async fn count_open_children(&self, tenant: &TenantId, parent: JobId) -> Result<u64, StoreError> {
        within(self.op, "count_open_children", self.inner.count_open_children(tenant, parent)).await
    }
    async fn count_by_status(&self, tenant: Option<&TenantId>) -> Result<Vec<(JobKind, JobStatus, u64)>, StoreError> {
        within(self.op, "count_by_status", self.inner.count_by_status(tenant)).await
    }
    async fn count_succeeded_since(
        &self,
        since: DateTime<Utc>,
        tenant: Option<&TenantId>,
    ) -> Result<Vec<(JobKind, u64)>, StoreError> {
        within(self.op, "count_succeeded_since", self.inner.count_succeeded_since(since, tenant)).await
    }
}

#[async_trait]
impl RollupStore for TimedStore {
    type Error = StoreError;

    async fn job_events(
        &self,
        tenant: &TenantId,
        job: JobId,
    ) -> Result<Vec<meeteasy_pipelines::analytics::StoredEvent>, StoreError> {
        within(self.op, "job_events", self.inner.job_events(tenant, job)).await
    }
    async fn raise_minute_part(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        start: DateTime<Utc>,
        job: JobId,
        counts: &Counts,
    ) -> Result<Counts, StoreError> {
        within(self.op, "raise_minute_part", self.inner.raise_minute_part(tenant, conference_id, start, job, counts))
            .await
    }
    async fn sum_rollups(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, StoreError> {
        within(self.op, "sum_rollups", self.inner.sum_rollups(tenant, conference_id, granularity, from, to)).await
    }
    async fn raise_rollup(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        start: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<(), StoreError> {
        within(self.op, "raise_rollup", self.inner.raise_rollup(tenant, conference_id, granularity, start, counts))
            .await
    }
}

#[async_trait]
impl AnalyticsStore for TimedStore {
    async fn insert_events(&self, tenant: &TenantId, job: JobId, events: &[Event]) -> Result<u64, StoreError> {
        within(self.op, "insert_events", self.inner.insert_events(tenant, job, events)).await
    }
    async fn rollups(
        &self,
        tenant: &TenantId,
        conference_id: &str,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Bucket>, StoreError> {
        within(self.op, "rollups", self.inner.rollups(tenant, conference_id, granularity, from, to)).await
    }
}

#[async_trait]
impl BlobStore for TimedStore {
    async fn put_blob(
        &self,
        tenant: &TenantId,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(BlobId, BlobMeta), StoreError> {
        within(self.blob, "put_blob", self.inner.put_blob(tenant, filename, content_type, bytes)).await
    }
    async fn get_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<Option<(BlobMeta, Vec<u8>)>, StoreError> {
        within(self.blob, "get_blob", self.inner.get_blob(tenant, id)).await
    }
    async fn delete_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<bool, StoreError> {
        within(self.op, "delete_blob", self.inner.delete_blob(tenant, id)).await
    }
}

#[async_trait]
impl DeliveryStore for TimedStore {
    async fn insert_delivery(&self, key: &DeliveryKey, status: DeliveryStatus) -> Result<bool, StoreError> {
        within(self.op, "insert_delivery", self.inner.insert_delivery(key, status)).await
    }
    async fn get_delivery(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, StoreError> {
        within(self.op, "get_delivery", self.inner.get_delivery(key)).await
    }
    async fn cas_delivery(
        &self,
        key: &DeliveryKey,
        from: DeliveryStatus,
        to: DeliveryStatus,
        detail: Option<&str>,
    ) -> Result<bool, StoreError> {
        within(self.op, "cas_delivery", self.inner.cas_delivery(key, from, to, detail)).await
    }
    async fn deliveries(&self, tenant: &TenantId, job: JobId) -> Result<Vec<DeliveryRecord>, StoreError> {
        within(self.op, "deliveries", self.inner.deliveries(tenant, job)).await
    }
}

#[async_trait]
impl WebhookStore for TimedStore {
    async fn create_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        self.webhooks.forget(&hook.tenant_id);
        within(self.op, "create_webhook", self.inner.create_webhook(hook)).await
    }
    async fn list_webhooks(&self, tenant: &TenantId) -> Result<Vec<Webhook>, StoreError> {
        within(self.op, "list_webhooks", self.inner.list_webhooks(tenant)).await
    }
    async fn webhooks_for_delivery(&self, tenant: &TenantId) -> Result<std::sync::Arc<Vec<Webhook>>, StoreError> {
        if let Some(hooks) = self.webhooks.get(tenant) {
            return Ok(hooks);
        }
        let hooks = std::sync::Arc::new(self.list_webhooks(tenant).await?);
        self.webhooks.put(tenant, hooks.clone());
        Ok(hooks)
    }
    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> Result<Option<Webhook>, StoreError> {
        within(self.op, "get_webhook", self.inner.get_webhook(tenant, id)).await
    }
    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        self.webhooks.forget(tenant);
        within(self.op, "delete_webhook", self.inner.delete_webhook(tenant, id)).await
    }
}

#[async_trait]
impl DocumentStore for TimedStore {
    async fn insert_document(&self, rec: &DocumentRecord) -> Result<bool, StoreError> {
        within(self.op, "insert_document", self.inner.insert_document(rec)).await
    }
    async fn save_document(&self, rec: &DocumentRecord) -> Result<(), StoreError> {
        within(self.op, "save_document", self.inner.save_document(rec)).await
    }
    async fn get_document(&self, tenant: &TenantId, id: JobId) -> Result<Option<DocumentRecord>, StoreError> {
        within(self.op, "get_document", self.inner.get_document(tenant, id)).await
    }
}

#[async_trait]
impl Store for TimedStore {
    async fn ping(&self) -> Result<(), StoreError> {
        within(self.op, "ping", self.inner.ping()).await
    }
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
}
