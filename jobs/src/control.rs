//! The enqueue side: create, cancel and retry jobs.
//!
//! Creating a job writes the store record first and pushes the queue message
//! second. If the push fails the record is marked `dead` with
//! `queue.unavailable`, so the client never holds an id that nothing will
//! ever run. Idempotency is the store's unique `(tenant, key)` index: a
//! repeated key returns the first job and pushes nothing.

use meeteasy_models::{JobError, JobId, JobStatus, TenantId};

use crate::events::{EventBus, JobEvent};
use crate::kinds::{RequeueError, requeue};
use crate::lifecycle::Move;
use crate::queue::{QueueError, Queues};
use crate::store::{Created, DynStore, ErrorPatch, JobRecord, StoreError};
use crate::{Envelope, IdemKey, JobSpec};

#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Requeue(#[from] RequeueError),
    #[error("payload does not encode: {0}")]
    Payload(#[from] serde_json::Error),
    /// The idempotency key was used before for a different request.
    #[error("the idempotency key was used with a different request")]
    IdempotencyConflict,
}

/// The error code of a job whose queue message was never pushed.
pub const UNQUEUED: &str = "queue.unavailable";

/// A job that died because its message never reached the queue.
fn never_queued(rec: &JobRecord) -> bool {
    rec.status == JobStatus::Dead && rec.attempts == 0 && rec.error.as_ref().is_some_and(|e| e.code == UNQUEUED)
}

/// Why a cancel or retry was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlOutcome {
    Done,
    NotFound,
    WrongState,
}

/// The job control surface used by the API.
#[derive(Clone)]
pub struct JobControl {
    pub store: DynStore,
    pub queues: Queues,
    pub events: EventBus,
}

impl std::fmt::Debug for JobControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobControl").field("queues", &self.queues).finish_non_exhaustive()
    }
}

impl JobControl {
    /// Creates a job of type `J` for `tenant`, made by `created_by`, and
    /// queues it. With an idempotency key already used (by the same creator
    /// at the same endpoint, for client keys), returns that job instead, or
    /// `IdempotencyConflict` when the key then stood for another request.
    pub async fn enqueue<J: JobSpec>(
        &self,
        tenant: &TenantId,
        created_by: &str,
        payload: J,
        key: Option<IdemKey>,
    ) -> Result<JobRecord, EnqueueError> {
        self.enqueue_under(tenant, created_by, None, payload, key).await
    }

    /// Like [`Self::enqueue`], for a child that `parent` will wait for (a
    /// fan-in; see `runtime::fanin`).
    pub async fn enqueue_under<J: JobSpec>(
        &self,
        tenant: &TenantId,
        created_by: &str,
        parent: Option<JobId>,
        payload: J,
        key: Option<IdemKey>,
    ) -> Result<JobRecord, EnqueueError> {
        let mut record =
            JobRecord::new(tenant.clone(), created_by, J::KIND, serde_json::to_value(&payload)?, key.as_ref());
        record.parent = parent;
        let record = match self.store.create_job(record).await? {
            Created::Existing(existing) => {
                let same_request = key
                    .as_ref()
                    .and_then(IdemKey::fingerprint)
                    .is_none_or(|f| existing.request_hash.as_deref() == Some(f) && existing.created_by == created_by);
                if existing.kind != J::KIND || !same_request {
                    return Err(EnqueueError::IdempotencyConflict);
                }
                if never_queued(&existing) {
                    return self.revive(existing).await;
                }
                return Ok(existing);
            }
            Created::New(r) => r,
        };
        let env = Envelope::for_record(&record, payload);
        if let Err(e) = self.queues.push(env, None).await {
            self.mark_unqueued(&record).await;
            return Err(e.into());
        }
        metrics::counter!("meeteasy_jobs_enqueued_total", "kind" => J::KIND.as_str()).increment(1);
        Ok(record)
    }

    /// Queues again a job whose first push failed (`dead` with
    /// `queue.unavailable`, never attempted): a repeat of the request that
    /// created it, or a parent's re-run, would otherwise get back a job
    /// that nothing will ever run.
    async fn revive(&self, dead: JobRecord) -> Result<JobRecord, EnqueueError> {
        let t = Move::Revive.transition(&dead.tenant_id, dead.id).error(ErrorPatch::Clear);
        let Some(rec) = self.store.transition(t).await? else {
            // Someone else revived it (or an operator retried it) first.
            return Ok(self.store.get_job(&dead.tenant_id, dead.id).await?.unwrap_or(dead));
        };
        if let Err(e) = requeue(&self.queues, &rec).await {
            self.mark_unqueued(&rec).await;
            return Err(e.into());
        }
        self.events.publish(JobEvent::for_view(rec.tenant_id.clone(), rec.view())).await;
        Ok(rec)
    }

    /// A `queued` job unchanged for the sweeper's grace, or a `running` one
    /// for its timeout plus the grace: its message is probably lost.
    fn is_stuck(&self, rec: &JobRecord) -> bool {
        if rec.waiting {
            return false; // a fan-in parent waits for its children by design
        }
        let s = self.queues.settings();
        let grace = i64::try_from(s.sweep_grace_secs).unwrap_or(30);
        let age = match rec.status {
            JobStatus::Queued => grace,
            JobStatus::Running => grace + i64::try_from(s.job(rec.kind).timeout_secs).unwrap_or(60),
            _ => return false,
        };
        rec.updated_at < crate::store::now() - chrono::TimeDelta::seconds(age)
    }

    async fn mark_unqueued(&self, record: &JobRecord) {
        let t = Move::Unqueued
            .transition(&record.tenant_id, record.id)
            .error(ErrorPatch::Set(JobError { code: UNQUEUED.into(), message: "the job could not be queued".into() }));
        if let Err(e) = self.store.transition(t).await {
            tracing::error!(error = %e, job_id = %record.id, "could not mark an unqueued job dead");
        }
    }

    /// Cancels a job that has not finished. A running job's handler is not
    /// interrupted, but its result is discarded: the final transition only
    /// applies from `running`.
    ///
    /// With `owner`, only a job created by that `sub` is found (attendees
    /// cancel their own jobs only; another's answers like an unknown id).
    pub async fn cancel(
        &self,
        tenant: &TenantId,
        id: JobId,
        owner: Option<&str>,
    ) -> Result<(ControlOutcome, Option<JobRecord>), EnqueueError> {
        let Some(current) = self.store.get_job(tenant, id).await?.filter(|r| owner.is_none_or(|o| r.created_by == o))
        else {
            return Ok((ControlOutcome::NotFound, None));
        };
        let t = Move::Cancel.transition(tenant, id);
        match self.store.transition(t).await? {
            Some(rec) => {
                self.events.publish(JobEvent::for_view(tenant.clone(), rec.view())).await;
                self.cancel_children(tenant, id).await;
                Ok((ControlOutcome::Done, Some(rec)))
            }
            None => Ok((ControlOutcome::WrongState, Some(current))),
        }
    }

    /// Cancels the children a cancelled fan-in parent queued (a searchable
    /// PDF's page OCR jobs): nothing would read their results, and on the
    /// AI pool they would hold slots other tenants wait for. Best effort: a
    /// child that cannot be cancelled now runs and its result is ignored.
    async fn cancel_children(&self, tenant: &TenantId, parent: JobId) {
        let children = match self.store.list_children(tenant, parent).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, %parent, "could not list the children of a cancelled job");
                return;
            }
        };
        for child in children.iter().filter(|c| !c.status.is_terminal()) {
            let t = Move::Cancel.transition(tenant, child.id).seen(child);
            match self.store.transition(t).await {
                Ok(Some(rec)) => self.events.publish(JobEvent::for_view(tenant.clone(), rec.view())).await,
                Ok(None) => {} // it ended meanwhile
                Err(e) => {
                    tracing::warn!(error = %e, child = %child.id, "could not cancel the child of a cancelled job")
                }
            }
        }
    }

    /// Re-queues a `failed` or `dead` job with a fresh attempt budget.
    pub async fn retry(
        &self,
        tenant: &TenantId,
        id: JobId,
    ) -> Result<(ControlOutcome, Option<JobRecord>), EnqueueError> {
        let Some(current) = self.store.get_job(tenant, id).await? else {
            return Ok((ControlOutcome::NotFound, None));
        };
        // A new dispatch: a retry still scheduled for a `failed` job becomes
        // a no-op, so the job runs once, from this message. A job stuck
        // `queued` or `running` past the sweeper's grace may be retried too,
        // as it was when seen (same dispatch).
        let t = if self.is_stuck(&current) {
            Move::RetryStuck.transition_from(tenant, id, current.status).for_dispatch(current.dispatch)
        } else {
            Move::Retry.transition(tenant, id)
        };
        let t = t.progress(0).error(ErrorPatch::Clear);
        let Some(rec) = self.store.transition(t).await? else {
            return Ok((ControlOutcome::WrongState, Some(current)));
        };
        if let Err(e) = requeue(&self.queues, &rec).await {
            self.mark_unqueued(&rec).await;
            return Err(e.into());
        }
        self.events.publish(JobEvent::for_view(tenant.clone(), rec.view())).await;
        Ok((ControlOutcome::Done, Some(rec)))
    }
}
