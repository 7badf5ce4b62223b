//! The reconciliation sweeper: finds jobs whose queue message was lost and
//! dispatches them again.
//!
//! Why: the store is the truth and the queue only a delivery mechanism. A
//! message is lost when a process dies between writing the record and
//! pushing it, or when Redis restarts without persistence; the record then
//! waits `queued` (or `running`, or `failed` with its retry gone) for a
//! message that will never come.
//!
//! When is a message provably lost? When the kind's queue holds nothing at
//! all (no ready, scheduled or in-flight message) while the store has a
//! record of that kind in a waiting state that has not changed for
//! `sweep_grace_secs` (a `running` one: for its timeout plus the grace).
//! With a backlog the sweeper waits for it to drain rather than guess, so a
//! job never loses its place in line. A swept job gets a new dispatch
//! number and a new message, so even a message that was only late is a
//! no-op when it arrives (see `Envelope`).
//!
//! A `running` record that is `waiting` for its children (a fan-in parent)
//! has no worker by design; it is woken when none of its children is open.
//!
//! One sweeper at a time: in scale-out the process holding a short Redis
//! lock; embedded, the one process.

use std::sync::Arc;
use std::time::Duration;

use meeteasy_models::{JobStatus, Pool};

use super::Runtime;
use crate::kinds::requeue;
use crate::lifecycle::Move;
use crate::queue::Queues;
use crate::store::{JobRecord, now};

/// Records of one kind and state read per page.
const BATCH: u32 = 500;
/// Pages per kind and state in one pass (bounds one pass's work).
const MAX_PAGES: usize = 40;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Jobs given a new message.
    pub redispatched: u64,
    /// `running` jobs whose last allowed attempt was lost: now `dead`.
    pub buried: u64,
}

pub(super) async fn run(rt: Arc<Runtime>, pools: Vec<Pool>) {
    let secs = rt.settings.sweep_interval_secs;
    if secs == 0 {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(secs));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !lead(&rt.queues, Duration::from_secs(secs * 2)).await {
            continue;
        }
        match sweep_once(&rt, &pools).await {
            Ok(r) if r == SweepReport::default() => {}
            Ok(r) => tracing::warn!(redispatched = r.redispatched, buried = r.buried, "sweeper recovered lost jobs"),
            Err(e) => tracing::warn!(error = %e, "sweep failed"),
        }
    }
}

/// Whether this process sweeps now: a Redis lock that expires by itself.
async fn lead(queues: &Queues, hold: Duration) -> bool {
    match queues {
        Queues::Sqlite { .. } => true,
        Queues::Redis { conn, settings } => {
            let mut c = conn.clone();
            let got: redis::RedisResult<Option<String>> = redis::cmd("SET")
                .arg(format!("{}:sweeper:lock", settings.namespace))
                .arg(std::process::id())
                .arg("NX")
                .arg("PX")
                .arg(u64::try_from(hold.as_millis()).unwrap_or(60_000))
                .query_async(&mut c)
                .await;
            matches!(got, Ok(Some(_)))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// One pass over the kinds of `pools`.
pub async fn sweep_once(rt: &Runtime, pools: &[Pool]) -> Result<SweepReport, SweepError> {
    let mut report = SweepReport::default();
    let grace = chrono::TimeDelta::seconds(i64::try_from(rt.settings.sweep_grace_secs).unwrap_or(30));
    for q in rt.queues.stats().await? {
        if !pools.contains(&q.pool) || q.depth + q.scheduled + q.running > 0 {
            continue;
        }
        let job = rt.settings.job(q.kind);
        let timeout = chrono::TimeDelta::seconds(i64::try_from(job.timeout_secs).unwrap_or(60));
        let waiting = [(JobStatus::Queued, grace), (JobStatus::Failed, grace), (JobStatus::Running, timeout + grace)];
        for (status, age) in waiting {
            // Page through: every record stale while the queue was empty
            // lost its message (a Redis loss can drop thousands at once);
            // each one handled leaves the stale set, so the next page is
            // new. A page that changed nothing (waiting parents only) ends
            // the pass.
            for _ in 0..MAX_PAGES {
                let page = rt.store.stale_jobs(q.kind, status, now() - age, BATCH).await?;
                let before = report;
                for rec in &page {
                    sweep_record(rt, &mut report, rec, status, job.max_attempts).await?;
                }
                if page.len() < BATCH as usize || report == before {
                    break;
                }
            }
        }
    }
    Ok(report)
}

async fn sweep_record(
    rt: &Runtime,
    report: &mut SweepReport,
    rec: &JobRecord,
    status: JobStatus,
    max_attempts: u32,
) -> Result<(), SweepError> {
    if rec.waiting {
        // No worker holds a waiting parent: wake it if its children are
        // all done (a lost wake-up), else leave it.
        if rt.store.count_open_children(&rec.tenant_id, rec.id).await? == 0 {
            report.redispatched += u64::from(super::fanin::wake(rt, &rec.tenant_id, rec.id).await?);
        }
    } else if status == JobStatus::Running && rec.attempts >= max_attempts {
        report.buried += u64::from(super::execute::bury_poison_pill(rt, rec).await?);
    } else {
        report.redispatched += u64::from(redispatch(rt, rec).await?);
    }
    Ok(())
}

/// A new message for `rec`, if it is still as the sweeper saw it.
async fn redispatch(rt: &Runtime, rec: &JobRecord) -> Result<bool, SweepError> {
    let t = Move::Sweep.transition_from(&rec.tenant_id, rec.id, rec.status).for_dispatch(rec.dispatch).seen(rec);
    let Some(next) = rt.store.transition(t).await? else { return Ok(false) };
    if let Err(e) = requeue(&rt.queues, &next).await {
        // The record stays `queued` with no message: the next sweep retries.
        tracing::warn!(error = %e, job_id = %rec.id, "sweeper could not push");
        return Ok(false);
    }
    tracing::info!(job_id = %rec.id, tenant_id = %rec.tenant_id, was = %rec.status, "lost job dispatched again");
    Ok(true)
}
