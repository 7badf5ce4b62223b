//! A short-lived per-process cache of each tenant's webhook endpoints, for
//! deliveries only.
//!
//! Why: every finished job looks up its tenant's endpoints, one store read
//! per job (a quarter of a no-op job's store calls) for a list that
//! changes when an organizer registers or deletes an endpoint. The cache
//! holds a tenant's list for `TTL`; a registration or deletion through the
//! same store instance (the embedded server, an API process's own reads)
//! clears that tenant at once. In a scale-out deployment a worker process
//! sees a new or deleted endpoint within `TTL`. `GET /v1/webhooks` never
//! reads the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meeteasy_models::TenantId;

use super::Webhook;

/// How long a tenant's list is reused.
pub const TTL: Duration = Duration::from_secs(5);
/// Tenants kept at most (the oldest entries are dropped beyond it).
const CAPACITY: usize = 10_000;

/// A tenant's endpoints and when they were read.
type Entry = (Instant, Arc<Vec<Webhook>>);

#[derive(Debug, Default)]
pub struct WebhookCache {
    entries: Mutex<HashMap<TenantId, Entry>>,
}

impl WebhookCache {
    pub fn get(&self, tenant: &TenantId) -> Option<Arc<Vec<Webhook>>> {
        let entries = self.entries.lock().ok()?;
        entries.get(tenant).filter(|(at, _)| at.elapsed() < TTL).map(|(_, hooks)| hooks.clone())
    }

    pub fn put(&self, tenant: &TenantId, hooks: Arc<Vec<Webhook>>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.retain(|_, (at, _)| at.elapsed() < TTL);
            }
            if entries.len() < CAPACITY {
                entries.insert(tenant.clone(), (Instant::now(), hooks));
            }
        }
    }

    pub fn forget(&self, tenant: &TenantId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(tenant);
        }
    }
}
