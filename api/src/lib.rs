//! The HTTP and Socket.IO edge of MeetEasy Jobs, and the `meeteasy` binary's
//! commands.
//!
//! This crate owns the request/response surface (SPEC §3): authentication
//! from a verified JWT only, the one error shape with stable codes and
//! localized messages, idempotency keys, pagination, body and rate limits,
//! OpenAPI docs, health and metrics. Handlers are thin: they validate,
//! enqueue through `meeteasy_jobs::JobControl` and answer `202` with the job
//! view; the heavy lifting happens in the worker pools.
//!
//! It also wires processes together (`server`): which store, queue and event
//! transport a command uses, and how it shuts down.

pub mod app;
pub mod cli;
pub mod config;
pub mod http;
pub mod metrics;
pub mod openapi;
mod openapi_errors;
pub mod realtime;
pub mod routes;
pub mod server;
pub mod shutdown;
pub mod state;
pub mod telemetry;
pub mod tickets;
