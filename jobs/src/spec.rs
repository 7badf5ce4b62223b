//! The contract every job type implements.

use std::future::Future;

use meeteasy_models::JobKind;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::JobFailure;
use crate::runtime::JobContext;

/// A typed job. The payload struct *is* the job: it is what the API enqueues,
/// what the queue carries and what the handler receives.
pub trait JobSpec: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    const KIND: JobKind;

    /// Runs one attempt. Must be idempotent: at-least-once delivery means it
    /// may run again after a crash, so check for existing output before acting.
    /// The returned value becomes the job's `result`.
    fn run(self, ctx: JobContext) -> impl Future<Output = Result<serde_json::Value, JobFailure>> + Send;
}
