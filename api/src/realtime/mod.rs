//! Real-time job events over Socket.IO (protocol v5, Engine.IO 4), served at
//! `/socket.io/` by socketioxide.
//!
//! A client connects with `auth: {"token": "<JWT>"}`; a bad or missing token
//! is refused with a `connect_error`, and a socket is disconnected when its
//! token expires. Who hears what follows the HTTP visibility rules:
//! - an organizer's or admin's socket joins its tenant's room and hears
//!   every job of the tenant;
//! - an attendee's socket joins only its own user room and hears only the
//!   jobs it created;
//! - a socket may `subscribe` to one job it may see (joining that job's
//!   room); `subscribe` is rate-limited per user, since each costs a store
//!   read.
//!
//! Events are `job.progress`, `job.completed`, `job.failed` (payload: the job
//! view) and `notification`.
//!
//! Why no Socket.IO Redis adapter: every event originates in the job
//! runtime, which publishes it on a Redis channel. Each API instance
//! subscribes to that channel (`relay`) and emits to its *own* sockets, so a
//! worker on any host reaches a client on any instance, and an instance never
//! needs to broadcast to another's sockets.

mod connect;
mod relay;

use std::sync::Arc;

use meeteasy_jobs::events::EventBus;
use meeteasy_jobs::ratelimit::RateGate;
use meeteasy_jobs::store::DynStore;
use socketioxide::SocketIo;
use socketioxide::layer::SocketIoLayer;

use crate::http::auth::JwtKeys;

/// What socket handlers need.
#[derive(Clone)]
pub struct RealtimeState {
    pub keys: Arc<JwtKeys>,
    pub store: DynStore,
    /// Rate limits for `subscribe` (shared by API instances on Redis).
    pub gate: RateGate,
}

/// `subscribe` calls allowed per user per minute.
pub const SUBSCRIBES_PER_MINUTE: u64 = 120;

impl std::fmt::Debug for RealtimeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeState").finish_non_exhaustive()
    }
}

/// Builds the Socket.IO layer and starts relaying `events` to sockets.
pub fn layer(state: RealtimeState, events: &EventBus) -> SocketIoLayer {
    let (layer, io) = SocketIo::builder().with_state(state).build_layer();
    connect::register(&io);
    relay::spawn(io, events.subscribe());
    layer
}

pub fn tenant_room(tenant: &str) -> String {
    format!("tenant:{tenant}")
}

pub fn job_room(job_id: &str) -> String {
    format!("job:{job_id}")
}

/// An attendee's own room. The tenant is part of the name: the same `sub`
/// in two tenants is two users.
pub fn user_room(tenant: &str, sub: &str) -> String {
    format!("user:{tenant}:{sub}")
}
