//! The message that travels through a queue.
//!
//! It carries the job id and tenant plus the typed payload. Payloads hold
//! references to blobs, never file bytes, so queue messages stay small.

use meeteasy_models::{JobId, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub job_id: JobId,
    pub tenant_id: TenantId,
    pub payload: T,
}
