//! Job events → sockets of this instance.

use meeteasy_jobs::events::JobEvent;
use socketioxide::SocketIo;
use tokio::sync::broadcast;

use super::{job_room, tenant_room, user_room};

pub(super) fn spawn(io: SocketIo, mut events: broadcast::Receiver<JobEvent>) {
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(ev) => emit(&io, &ev).await,
                Err(broadcast::error::RecvError::Lagged(n)) => tracing::warn!(skipped = n, "socket relay lagged"),
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

async fn emit(io: &SocketIo, ev: &JobEvent) {
    let Some(ns) = io.of("/") else { return };
    // One emit to the union of the rooms: a socket in several gets it once.
    // The creator's room reaches an attendee's sockets; the tenant room the
    // organizers'; the job room whoever subscribed (and was allowed to).
    let rooms = [
        tenant_room(ev.tenant_id.as_str()),
        user_room(ev.tenant_id.as_str(), &ev.job.created_by),
        job_room(&ev.job.id.to_string()),
    ];
    if let Err(e) = ns.to(rooms).emit(&ev.event, &ev.job).await {
        tracing::debug!(error = %e, "socket emit failed");
    }
}
