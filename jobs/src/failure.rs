//! How a job fails: Abort (bad input, never retried) or Retry (transient).
//!
//! Why the worker runtime, not apalis, decides about retries: apalis-redis
//! 1.0 re-queues any failed task until a hard-coded 25th attempt, whatever the
//! retry policy says, and its inspection APIs cannot tell the API what
//! happened. So handlers return a `JobFailure`, the runtime records it in the
//! store, and schedules the next attempt itself (with exponential backoff and
//! jitter). The queue only ever sees a task succeed; the store and the queue
//! always agree.

/// A classified job failure. `code` is a stable error code such as
/// `analytics.invalid_event`; `message` is safe to show to the tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    #[error("{code}: {message}")]
    Abort { code: String, message: String },
    #[error("{code}: {message}")]
    Retry { code: String, message: String },
    /// Not a failure: the job must wait (a shared rate limit is exhausted).
    /// It goes back to `queued` and runs again after `after`; the attempt
    /// does not count. Rate limits defer jobs, they never drop them.
    #[error("{code}: deferred for {after:?}")]
    Defer { code: String, after: std::time::Duration },
    /// Not a failure: the job queued `children` child jobs and waits for
    /// them without holding a worker. It stays `running` (waiting), and the
    /// last child to end queues it again (see `runtime::fanin`).
    #[error("waiting for {children} child jobs")]
    AwaitChildren { children: u32 },
}

impl JobFailure {
    pub fn abort(code: impl Into<String>, message: impl Into<String>) -> Self {
        JobFailure::Abort { code: code.into(), message: message.into() }
    }

    pub fn retry(code: impl Into<String>, message: impl Into<String>) -> Self {
        JobFailure::Retry { code: code.into(), message: message.into() }
    }

    pub fn defer(code: impl Into<String>, after: std::time::Duration) -> Self {
        JobFailure::Defer { code: code.into(), after }
    }

    pub fn code(&self) -> &str {
        match self {
            JobFailure::Abort { code, .. } | JobFailure::Retry { code, .. } | JobFailure::Defer { code, .. } => code,
            JobFailure::AwaitChildren { .. } => "job.waiting",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            JobFailure::Abort { message, .. } | JobFailure::Retry { message, .. } => message,
            JobFailure::Defer { .. } => "waiting for a rate limit",
            JobFailure::AwaitChildren { .. } => "waiting for child jobs",
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, JobFailure::Retry { .. })
    }
}

/// Store trouble inside a handler is transient: the database may be back
/// on the next attempt. The driver's text is logged, not shown.
impl From<crate::store::StoreError> for JobFailure {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::warn!(error = %e, "store error inside a job");
        JobFailure::retry("store.unavailable", "the document store was unavailable")
    }
}
