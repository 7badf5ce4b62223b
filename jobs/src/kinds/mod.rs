//! The job types, and the one place that maps a `JobKind` to its typed
//! struct (for worker registration and operator re-queues).

mod ingest_analytics;
pub mod sleep;

use std::sync::Arc;

use apalis::prelude::Monitor;
use meeteasy_models::{JobKind, Pool};

pub use ingest_analytics::IngestAnalytics;
pub use sleep::Sleep;

use crate::queue::{QueueError, Queues};
use crate::runtime::Runtime;
use crate::store::JobRecord;
use crate::{Envelope, JobSpec};

/// Job kinds this build can run. Kinds of the SPEC not listed here are not
/// implemented yet; the API does not accept them.
pub const IMPLEMENTED: [JobKind; 2] = [JobKind::IngestAnalytics, JobKind::Sleep];

/// Registers a worker for every implemented kind of `pool`.
pub(crate) fn register_pool(mut monitor: Monitor, rt: &Arc<Runtime>, pool: Pool) -> Monitor {
    for kind in IMPLEMENTED.into_iter().filter(|k| k.pool() == pool) {
        monitor = match kind {
            JobKind::IngestAnalytics => crate::runtime::register_kind::<IngestAnalytics>(monitor, rt),
            JobKind::Sleep => crate::runtime::register_kind::<Sleep>(monitor, rt),
            _ => monitor,
        };
    }
    monitor
}

#[derive(Debug, thiserror::Error)]
pub enum RequeueError {
    #[error("job kind {0} is not implemented by this build")]
    Unsupported(JobKind),
    #[error("stored payload does not decode: {0}")]
    Payload(#[from] serde_json::Error),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

async fn push_typed<J: JobSpec>(queues: &Queues, rec: &JobRecord) -> Result<(), RequeueError> {
    let payload: J = serde_json::from_value(rec.payload.clone())?;
    queues.push(Envelope { job_id: rec.id, tenant_id: rec.tenant_id.clone(), payload }, None).await?;
    Ok(())
}

/// Pushes a stored job back onto its queue (operator retry, recovery).
pub async fn requeue(queues: &Queues, rec: &JobRecord) -> Result<(), RequeueError> {
    match rec.kind {
        JobKind::IngestAnalytics => push_typed::<IngestAnalytics>(queues, rec).await,
        JobKind::Sleep => push_typed::<Sleep>(queues, rec).await,
        other => Err(RequeueError::Unsupported(other)),
    }
}
