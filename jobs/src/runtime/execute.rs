//! One attempt of one job, from pickup to the final store transition.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use apalis::prelude::{BoxDynError, Data};
use futures::FutureExt;
use meeteasy_models::{JobError, JobStatus};
use rand::Rng;
use tracing::Instrument;

use super::{JobContext, Runtime};
use crate::events::JobEvent;
use crate::lifecycle::Move;
use crate::store::{ErrorPatch, JobRecord, StoreError, now};
use crate::{Envelope, JobFailure, JobSpec};

/// Infrastructure trouble that the *queue* should retry (the store was
/// unreachable, say). Job-level failures never surface here.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("could not schedule the retry: {0}")]
    Requeue(String),
}

/// The apalis handler of every kind.
pub async fn execute<J: JobSpec>(env: Envelope<J>, rt: Data<Arc<Runtime>>) -> Result<(), BoxDynError> {
    let span = tracing::info_span!("job", job_id = %env.job_id, tenant_id = %env.tenant_id, kind = %J::KIND);
    let rt: Arc<Runtime> = (*rt).clone();
    run_attempt(&rt, env).instrument(span).await.map_err(|e| {
        tracing::error!(error = %e, "attempt could not be recorded; the queue will redeliver it");
        Box::new(e) as BoxDynError
    })
}

async fn publish(rt: &Runtime, rec: &JobRecord) {
    rt.events.publish(JobEvent::for_view(rec.tenant_id.clone(), rec.view())).await;
}

/// A job picked up again from `running` has had a worker die on it (a
/// crash, an abort, the OOM killer): orphan reclaim re-queued it. Once its
/// last allowed attempt died that way it is `dead` with `job.crashed` and
/// never runs again, so one poisonous input cannot take down every worker
/// in turn.
pub(super) async fn bury_poison_pill(rt: &Runtime, rec: &JobRecord) -> Result<bool, StoreError> {
    tracing::error!(job_id = %rec.id, attempts = rec.attempts, "the job's last attempt died with its worker; it is dead");
    let t = Move::Bury.transition(&rec.tenant_id, rec.id).for_dispatch(rec.dispatch).seen(rec).error(ErrorPatch::Set(
        JobError {
            code: "job.crashed".into(),
            message: "the worker running this job stopped unexpectedly on every attempt".into(),
        },
    ));
    let Some(dead) = rt.store.transition(t).await? else { return Ok(false) };
    metrics::counter!("meeteasy_jobs_finished_total", "kind" => dead.kind.as_str(), "status" => "dead").increment(1);
    publish(rt, &dead).await;
    super::fanout::after_transition(rt, &dead).await;
    Ok(true)
}

/// Starts the attempt: the job's record moved to `running` with its attempt
/// counted, or `None` when there is nothing to run (finished, cancelled,
/// replaced by a newer message, timed out in the queue, or buried).
///
/// The fast path trusts the record the message carries (see `Envelope`):
/// one compare-and-set from the state it was pushed in. It misses when the
/// record changed since the push, and only then is the record read and
/// every case below decided on what the store holds.
async fn begin<J: JobSpec>(rt: &Runtime, env: &Envelope<J>) -> Result<Option<JobRecord>, ExecuteError> {
    let settings = rt.settings.job(J::KIND);
    let start = || Move::Start.transition(&env.tenant_id, env.job_id).for_dispatch(env.dispatch);
    if let Some(pushed) = env.record.as_deref()
        && matches!(pushed.status, JobStatus::Queued | JobStatus::Failed)
        && pushed.dispatch == env.dispatch
        && (now() - pushed.updated_at).to_std().unwrap_or_default() <= settings.queue_wait()
    {
        let mut seen = Box::new(pushed.clone());
        seen.payload = serde_json::to_value(&env.payload).map_err(|e| ExecuteError::Requeue(e.to_string()))?;
        let queued_at = seen.updated_at;
        let mut t = Move::Start.transition_from(&env.tenant_id, env.job_id, seen.status).for_dispatch(env.dispatch);
        t.seen = Some(seen);
        if let Some(running) = rt.store.transition(t).await? {
            record_wait(J::KIND, queued_at);
            return Ok(Some(running));
        }
    }
    let Some(rec) = rt.store.get_job(&env.tenant_id, env.job_id).await? else {
        tracing::warn!("message for an unknown job dropped");
        return Ok(None);
    };
    if rec.status.is_terminal() {
        tracing::debug!(status = %rec.status, "duplicate delivery of a finished job ignored");
        return Ok(None);
    }
    if rec.dispatch != env.dispatch {
        // A newer message replaced this one (an operator's retry of a job
        // whose own retry was still scheduled, a recovery): it runs the job.
        tracing::debug!(message = env.dispatch, current = rec.dispatch, "outdated message ignored");
        return Ok(None);
    }
    let waited = (now() - rec.updated_at).to_std().unwrap_or_default();
    if rec.status == JobStatus::Queued && waited > settings.queue_wait() {
        let t = Move::QueueTimeout.transition(&env.tenant_id, env.job_id).for_dispatch(env.dispatch).seen(&rec).error(
            ErrorPatch::Set(JobError {
                code: "job.queue_timeout".into(),
                message: "the job waited in the queue longer than allowed".into(),
            }),
        );
        if let Some(dead) = rt.store.transition(t).await? {
            metrics::counter!("meeteasy_jobs_finished_total", "kind" => J::KIND.as_str(), "status" => "dead")
                .increment(1);
            publish(rt, &dead).await;
            super::fanout::after_transition(rt, &dead).await;
        }
        return Ok(None);
    }
    if rec.status == JobStatus::Running && rec.attempts >= settings.max_attempts {
        bury_poison_pill(rt, &rec).await?;
        return Ok(None);
    }
    let Some(running) = rt.store.transition(start().seen(&rec)).await? else {
        return Ok(None); // cancelled or finished in the meantime
    };
    record_wait(J::KIND, rec.updated_at);
    Ok(Some(running))
}

fn record_wait(kind: meeteasy_models::JobKind, queued_at: chrono::DateTime<chrono::Utc>) {
    let waited = (now() - queued_at).to_std().unwrap_or_default();
    metrics::histogram!("meeteasy_job_queue_wait_seconds", "kind" => kind.as_str()).record(waited.as_secs_f64());
}

async fn run_attempt<J: JobSpec>(rt: &Runtime, env: Envelope<J>) -> Result<(), ExecuteError> {
    let kind = J::KIND;
    let settings = rt.settings.job(kind);
    let picked_up = Instant::now();
    let Some(running) = begin(rt, &env).await? else { return Ok(()) };
    publish(rt, &running).await;
    phase(kind, "start", picked_up);

    let ctx = JobContext {
        job_id: env.job_id,
        tenant_id: env.tenant_id.clone(),
        created_by: running.created_by.clone(),
        attempt: running.attempts,
        children: running.children,
        store: rt.store.clone(),
        services: rt.services.clone(),
        events: rt.events.clone(),
        queues: rt.queues.clone(),
    };
    let pool = kind.pool().as_str();
    metrics::gauge!("meeteasy_worker_slots_busy", "pool" => pool, "kind" => kind.as_str()).increment(1.0);
    let started = Instant::now();
    let outcome = tokio::time::timeout(settings.timeout(), AssertUnwindSafe(env.payload.run(ctx)).catch_unwind()).await;
    metrics::gauge!("meeteasy_worker_slots_busy", "pool" => pool, "kind" => kind.as_str()).decrement(1.0);
    let outcome = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(_panic)) => Err(JobFailure::retry("job.panicked", "the worker hit an internal error")),
        Err(_elapsed) => Err(JobFailure::retry("job.timeout", "the job ran longer than its time limit")),
    };

    if let Err(JobFailure::AwaitChildren { children }) = outcome {
        super::fanin::suspend(rt, &env.tenant_id, env.job_id, env.dispatch, children).await?;
        return Ok(());
    }

    // Only this dispatch may end the attempt: a worker that outlived its
    // message (re-dispatched meanwhile) cannot overwrite the newer attempt.
    let ends = |m: Move| m.transition(&env.tenant_id, env.job_id).for_dispatch(env.dispatch).seen(&running);
    let (transition, retry_in) = match outcome {
        Ok(result) => (ends(Move::Succeed).progress(100).error(ErrorPatch::Clear).result(result), None),
        Err(JobFailure::AwaitChildren { .. }) => return Ok(()), // handled above
        Err(JobFailure::Defer { code, after }) => {
            tracing::debug!(%code, ?after, "deferred by a rate limit");
            (ends(Move::Defer), Some(after))
        }
        Err(f) => {
            let err = ErrorPatch::Set(JobError { code: f.code().to_string(), message: f.message().to_string() });
            if f.is_retryable() && running.attempts < settings.max_attempts {
                let jitter = rand::rng().random_range(-0.25..=0.25);
                tracing::warn!(code = f.code(), attempt = running.attempts, "attempt failed; will retry");
                let backoff = settings.backoff(running.attempts, jitter);
                (ends(Move::FailForRetry).error(err), Some(backoff))
            } else {
                tracing::warn!(
                    code = f.code(),
                    attempt = running.attempts,
                    retryable = f.is_retryable(),
                    "job is dead"
                );
                (ends(Move::Die).error(err), None)
            }
        }
    };
    phase(kind, "run", started);
    let finishing = Instant::now();
    let Some(done) = rt.store.transition(transition).await? else {
        return Ok(()); // cancelled while running: the cancellation stands
    };
    metrics::histogram!("meeteasy_job_duration_seconds", "kind" => kind.as_str(), "status" => done.status.as_str())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("meeteasy_jobs_finished_total", "kind" => kind.as_str(), "status" => done.status.as_str())
        .increment(1);
    if let Some(delay) = retry_in {
        let payload: J =
            serde_json::from_value(done.payload.clone()).map_err(|e| ExecuteError::Requeue(e.to_string()))?;
        let next = Envelope::for_record(&done, payload);
        rt.queues.push(next, Some(delay)).await.map_err(|e| ExecuteError::Requeue(e.to_string()))?;
    }
    publish(rt, &done).await;
    super::fanout::after_transition(rt, &done).await;
    phase(kind, "finish", finishing);
    Ok(())
}

/// Time spent in one phase of an attempt, so that a gap between the post
/// and the result shows where it is: `queued` is
/// `meeteasy_job_queue_wait_seconds`; `start` runs from pickup to the
/// `running` record (store write, event), `run` is the handler, `finish` the
/// final write, the retry's push, the event and the webhooks.
fn phase(kind: meeteasy_models::JobKind, phase: &'static str, since: Instant) {
    metrics::histogram!("meeteasy_job_phase_seconds", "kind" => kind.as_str(), "phase" => phase)
        .record(since.elapsed().as_secs_f64());
}
