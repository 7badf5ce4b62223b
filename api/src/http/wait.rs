//! Holding a request until its job finishes (voice input's `?wait=N`, and
//! the synchronous OpenAI-compatible endpoint).
//!
//! The subscription to job events is opened *before* the job is queued, so
//! a fast job cannot finish unseen; the store stays the source of truth and
//! is polled as a fallback in case an event is missed.

use std::time::Duration;

use meeteasy_jobs::events::JobEvent;
use meeteasy_jobs::store::JobRecord;
use meeteasy_models::{JobId, TenantId};
use tokio::sync::broadcast;

use super::error::ApiError;
use crate::state::AppState;

/// Waits up to `within` for the job to reach a terminal state; returns the
/// latest record either way.
pub async fn until_finished(
    st: &AppState,
    mut events: broadcast::Receiver<JobEvent>,
    tenant: &TenantId,
    id: JobId,
    within: Duration,
) -> Result<JobRecord, ApiError> {
    let deadline = tokio::time::Instant::now() + within;
    let mut poll = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) if ev.job.id == id && ev.job.status.is_terminal() => break,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => tokio::time::sleep_until(deadline).await,
            },
            _ = poll.tick() => {
                if let Some(rec) = st.jobs.store.get_job(tenant, id).await?
                    && rec.status.is_terminal() {
                        return Ok(rec);
                    }
            }
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    st.jobs.store.get_job(tenant, id).await?.ok_or(ApiError::NotFound("job.not_found"))
}
