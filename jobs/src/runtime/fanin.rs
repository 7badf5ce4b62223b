//! Fan-in without a waiting worker: a parent queues its children, then
//! suspends; each child's end advances it; the last one queues it again.
//!
//! Why not wait inside the parent's attempt: a waiting handler holds a
//! worker slot (and whatever it had in memory: a document's page images)
//! for as long as the slowest child, and it must poll. Here the parent's
//! attempt ends as soon as its children are queued. The record stays
//! `running` (publicly it is still at work) with `waiting` set and the
//! number of `children`; no worker holds it and no timer polls it.
//!
//! The count of open children is read from the children themselves (one
//! indexed count per child's end), not kept in a separate counter: a
//! counter can drift when a process dies between a child's last write and
//! the decrement, the children's own states cannot. Races are settled by
//! compare-and-set on the parent's `waiting` flag:
//!
//! * the parent sets `waiting` first and counts after, so a child that
//!   ended in between is counted (and if none is left open, the parent
//!   wakes itself);
//! * several children ending at once may all count zero; only one of them
//!   flips `waiting` off and pushes the continuation.
//!
//! The sweeper is the backstop for a wake that never happened (the process
//! died right after the last child's transition): a waiting parent with no
//! open child is woken there.

use meeteasy_models::{JobId, TenantId};

use super::Runtime;
use crate::events::JobEvent;
use crate::kinds::requeue;
use crate::lifecycle::Move;
use crate::store::{JobRecord, StoreError};

/// Ends the parent's attempt as a wait for `children` children. The attempt
/// is refunded: the continuation's start counts it again.
pub(super) async fn suspend(
    rt: &Runtime,
    tenant: &TenantId,
    id: JobId,
    dispatch: u32,
    children: u32,
) -> Result<(), StoreError> {
    let t = Move::Suspend.transition(tenant, id).for_dispatch(dispatch).children(children);
    let Some(rec) = rt.store.transition(t).await? else {
        return Ok(()); // cancelled meanwhile: the children's ends find no one to wake
    };
    tracing::debug!(children, "waiting for child jobs");
    if rt.store.count_open_children(tenant, id).await? == 0 {
        wake(rt, &rec.tenant_id, rec.id).await?;
    }
    Ok(())
}

/// A child ended: report the parent's progress, and wake it if this was
/// the last open child.
pub(super) async fn child_ended(rt: &Runtime, child: &JobRecord) {
    let Some(parent) = child.parent else { return };
    let outcome = async {
        let open = rt.store.count_open_children(&child.tenant_id, parent).await?;
        if open == 0 {
            return wake(rt, &child.tenant_id, parent).await.map(|_| ());
        }
        if let Some(p) = rt.store.get_job(&child.tenant_id, parent).await?.filter(|p| p.waiting && p.children > 0) {
            let done = u64::from(p.children).saturating_sub(open);
            let pct = 10 + u8::try_from(80 * done / u64::from(p.children)).unwrap_or(80).min(80);
            let t = Move::Progress.transition(&p.tenant_id, p.id).when_waiting(true).progress(pct);
            if let Some(rec) = rt.store.transition(t).await? {
                rt.events.publish(JobEvent::for_view(rec.tenant_id.clone(), rec.view())).await;
            }
        }
        Ok::<_, StoreError>(())
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!(error = %e, parent = %parent, "could not advance the parent; the sweeper will");
    }
}

/// Queues a waiting parent again. Returns whether this call did it (only
/// one caller wins the flag).
pub(super) async fn wake(rt: &Runtime, tenant: &TenantId, id: JobId) -> Result<bool, StoreError> {
    let t = Move::Wake.transition(tenant, id);
    let Some(next) = rt.store.transition(t).await? else { return Ok(false) };
    if let Err(e) = requeue(&rt.queues, &next).await {
        // `queued` with no message: the sweeper dispatches it again.
        tracing::warn!(error = %e, job_id = %id, "could not queue the continuation");
        return Ok(false);
    }
    tracing::debug!(job_id = %id, "every child ended; the parent continues");
    rt.events.publish(JobEvent::for_view(next.tenant_id.clone(), next.view())).await;
    Ok(true)
}
