//! Typed jobs, the enqueue side, the worker runtime and the store.
//!
//! This crate owns everything between "the API accepted a request" and "the
//! result is in the store":
//! - `store`: the store trait with its MongoDB and SQLite implementations;
//! - `queue`: apalis queues on Redis or SQLite, and their depth;
//! - `kinds`: one typed struct per job type, implementing `JobSpec`;
//! - `control`: enqueue (idempotent), cancel and retry;
//! - `runtime`: per-pool workers that run handlers with timeouts, Abort/Retry
//!   classification, backoff, status mirroring, events and metrics.
//!
//! Engines (`pipelines`, `ai`) do the actual work and know nothing of queues;
//! the HTTP edge (`api`) knows nothing of apalis.

pub mod control;
pub mod counts;
pub mod documents;
mod envelope;
pub mod events;
mod failure;
pub mod idempotency;
pub mod kinds;
pub mod lifecycle;
pub mod notify;
pub mod queue;
pub mod ratelimit;
pub mod runtime;
pub mod sandbox;
pub mod settings;
mod spec;
pub mod speech;
pub mod store;
pub mod vision;

pub use control::{ControlOutcome, EnqueueError, JobControl};
pub use envelope::Envelope;
pub use failure::JobFailure;
pub use idempotency::IdemKey;
pub use spec::JobSpec;
