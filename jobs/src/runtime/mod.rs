//! The worker runtime: one apalis worker per job kind of a pool, each
//! running the shared `execute` wrapper around the kind's handler.
//!
//! The wrapper is where the platform's promises are kept for every job type
//! alike: status mirroring into the store with compare-and-set transitions,
//! queue-wait and execution timeouts, panic containment, Abort/Retry
//! classification with our own backoff, events and metrics. Handlers only
//! do their work and say how it went.

mod context;
mod execute;
mod fanin;
mod fanout;
mod pool;
pub mod sweeper;

use std::sync::Arc;

use crate::events::EventBus;
use crate::notify::Services;
use crate::queue::Queues;
use crate::settings::RuntimeSettings;
use crate::store::DynStore;

pub use context::JobContext;
pub(crate) use pool::register_kind;
pub use pool::{RuntimeError, run_pools};

/// What every worker slot shares.
#[derive(Clone)]
pub struct Runtime {
    pub store: DynStore,
    pub queues: Queues,
    pub events: EventBus,
    pub settings: RuntimeSettings,
    pub services: Arc<Services>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("queues", &self.queues).finish_non_exhaustive()
    }
}

impl Runtime {
    pub fn new(store: DynStore, queues: Queues, events: EventBus, services: Arc<Services>) -> Arc<Self> {
        let settings = queues.settings().clone();
        Arc::new(Self { store, queues, events, settings, services })
    }
}
