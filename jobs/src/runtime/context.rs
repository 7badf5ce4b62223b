//! What a handler gets besides its payload.

use std::sync::Arc;

use meeteasy_models::{JobId, TenantId};

use crate::events::{EventBus, JobEvent};
use crate::notify::Services;
use crate::store::DynStore;

/// Per-attempt context: who the job belongs to, which attempt this is, the
/// store, and a way to report progress.
#[derive(Clone)]
pub struct JobContext {
    pub job_id: JobId,
    pub tenant_id: TenantId,
    /// 1 on the first attempt.
    pub attempt: u32,
    pub store: DynStore,
    pub services: Arc<Services>,
    pub(crate) events: EventBus,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("job_id", &self.job_id)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl JobContext {
    /// Records progress (0–100) and publishes a `job.progress` event.
    /// Best-effort: a failed progress write never fails the job.
    pub async fn progress(&self, pct: u8) {
        if let Err(e) = self.store.set_progress(&self.tenant_id, self.job_id, pct).await {
            tracing::warn!(error = %e, "could not record progress");
            return;
        }
        if let Ok(Some(rec)) = self.store.get_job(&self.tenant_id, self.job_id).await {
            self.events.publish(JobEvent::for_view(self.tenant_id.clone(), rec.view())).await;
        }
    }
}
