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

use meeteasy_models::{JobId, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub job_id: JobId,
    pub tenant_id: TenantId,
    /// The record's dispatch number at push time (0 for messages from
    /// before dispatch numbers existed).
    #[serde(default)]
    pub dispatch: u32,
    pub payload: T,
}
