//! The message that travels through a queue.
//!
//! It carries the job id and tenant plus the typed payload. Payloads hold
//! references to blobs, never file bytes, so queue messages stay small.
//!
//! `dispatch` is the job record's dispatch number when the message was
//! pushed. Every push of a new message for a job (a retry, an operator's
//! retry, a recovery) bumps the record's number first, and a worker starts
//! a job only from a message that carries the current number. So a message
//! that a later one replaced (the scheduled retry of a job an operator
//! retried by hand, say) is a no-op, and a job never runs twice at once
//! because two messages for it exist.

//!
//! `record` is the job record as it was when the message was pushed
//! (without its payload, which the message carries anyway). A worker starts
//! the job with a compare-and-set against it, without reading the record
//! first; only when the record changed since the push (it was cancelled,
//! re-dispatched, or started by a worker that died) does the worker read it
//! and decide from what it finds. That saves a store read per job.

use meeteasy_models::{JobId, TenantId};
use serde::{Deserialize, Serialize};

use crate::store::JobRecord;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub job_id: JobId,
    pub tenant_id: TenantId,
    /// The record's dispatch number at push time (0 for messages from
    /// before dispatch numbers existed).
    #[serde(default)]
    pub dispatch: u32,
    pub payload: T,
    /// The record at push time, payload left out (`null`); absent in
    /// messages from before this field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Box<JobRecord>>,
}

impl<T> Envelope<T> {
    /// The message for `rec` as it is now, carrying `payload`.
    pub fn for_record(rec: &JobRecord, payload: T) -> Self {
        let mut record = Box::new(rec.clone());
        record.payload = serde_json::Value::Null;
        Self { job_id: rec.id, tenant_id: rec.tenant_id.clone(), dispatch: rec.dispatch, payload, record: Some(record) }
    }
}
