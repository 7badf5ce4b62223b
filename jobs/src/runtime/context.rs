//! What a handler gets besides its payload.

use std::sync::Arc;

use meeteasy_models::{JobId, TenantId};

use crate::events::{EventBus, JobEvent};
use crate::lifecycle::Move;
use crate::notify::Services;
use crate::queue::Queues;
use crate::store::{DynStore, JobRecord};
use crate::{IdemKey, JobControl, JobFailure, JobSpec};

/// Per-attempt context: who the job belongs to, which attempt this is, the
/// store, and a way to report progress.
#[derive(Clone)]
pub struct JobContext {
    pub job_id: JobId,
    pub tenant_id: TenantId,
    /// Who created the job; child jobs inherit it.
    pub created_by: String,
    /// 1 on the first attempt.
    pub attempt: u32,
    /// Children queued by an earlier run of this job that waited for them:
    /// non-zero when this run is a fan-in's continuation.
    pub children: u32,
    pub store: DynStore,
    pub services: Arc<Services>,
    pub(crate) events: EventBus,
    pub(crate) queues: Queues,
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
    /// Queues a child job for this job's tenant and creator (pipelines fan
    /// out this way). With `key` (a platform key, never a client's), a
    /// re-run of this job finds the child it queued before instead of
    /// queuing another.
    pub async fn enqueue<J: JobSpec>(&self, payload: J, key: Option<String>) -> Result<JobRecord, JobFailure> {
        self.queue(None, payload, key, "a follow-up job could not be queued").await
    }

    /// Queues a child that this job will wait for: return
    /// [`JobFailure::AwaitChildren`] after queuing them all, and the job runs
    /// again (with [`Self::children`] set) once every child has ended.
    pub async fn enqueue_child<J: JobSpec>(&self, payload: J, key: String) -> Result<JobRecord, JobFailure> {
        self.queue(Some(self.job_id), payload, Some(key), "a child job could not be queued").await
    }

    async fn queue<J: JobSpec>(
        &self,
        parent: Option<JobId>,
        payload: J,
        key: Option<String>,
        failed: &str,
    ) -> Result<JobRecord, JobFailure> {
        let control =
            JobControl { store: self.store.clone(), queues: self.queues.clone(), events: self.events.clone() };
        control
            .enqueue_under(&self.tenant_id, &self.created_by, parent, payload, key.map(IdemKey::internal))
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "could not queue a child job");
                JobFailure::retry("queue.unavailable", failed)
            })
    }

    /// Records progress (0–100) and publishes a `job.progress` event.
    /// Best-effort: a failed progress write never fails the job.
    /// It is a `running → running` transition, so it applies only while the
    /// job runs and returns the updated record in the same round trip.
    pub async fn progress(&self, pct: u8) {
        let t = Move::Progress.transition(&self.tenant_id, self.job_id).progress(pct);
        match self.store.transition(t).await {
            Ok(Some(rec)) => self.events.publish(JobEvent::for_view(self.tenant_id.clone(), rec.view())).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not record progress"),
        }
    }
}
