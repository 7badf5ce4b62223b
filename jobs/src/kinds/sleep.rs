//! `sleep`: a diagnostic job that waits, then succeeds (or fails on
//! request). Benchmarks use it as a no-op, the crash tests as a job that is
//! still running when its worker is killed, and operators to smoke-test a
//! pool.

use std::time::Duration;

use meeteasy_models::JobKind;
use serde::{Deserialize, Serialize};

use crate::runtime::JobContext;
use crate::{JobFailure, JobSpec};

/// The longest sleep accepted (the API enforces it too).
pub const MAX_SLEEP_MS: u64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sleep {
    pub millis: u64,
    /// `abort` or `retry`: fail that way instead of succeeding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<String>,
}

impl JobSpec for Sleep {
    const KIND: JobKind = JobKind::Sleep;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        if self.millis > 0 {
            tokio::time::sleep(Duration::from_millis(self.millis.min(MAX_SLEEP_MS))).await;
        }
        match self.fail.as_deref() {
            Some("abort") => Err(JobFailure::abort("diagnostic.requested_abort", "the job was asked to abort")),
            Some("retry") => Err(JobFailure::retry("diagnostic.requested_retry", "the job was asked to fail")),
            _ => Ok(serde_json::json!({"slept_ms": self.millis, "attempt": ctx.attempt})),
        }
    }
}
