//! The domain vocabulary of MeetEasy Jobs, shared by every other crate.
//!
//! This crate owns the words the rest of the workspace speaks: tenant and job
//! identifiers, job kinds and their states, the public job view, roles, and the
//! analytics event and rollup shapes. It deliberately depends on no HTTP, queue
//! or database crate, so that the engines (`ai`, `pipelines`), the worker
//! runtime (`jobs`) and the HTTP edge (`api`) can all agree on types without
//! pulling each other in.
//!
//! Values that come from the outside world are parsed into newtypes here
//! (`TenantId::parse`, `JobId::parse`, `EventType::parse`, ...), so that code
//! past the edge can trust what it holds.

pub mod analytics;
pub mod auth;
pub mod document;
pub mod error;
pub mod ids;
pub mod job;
pub mod page;
pub mod pool;

pub use document::{DocumentMetadata, DocumentRecord, DocumentStatus, DocumentView, OcrMode, OcrStatus};
pub use error::ParseError;
pub use ids::{JobId, TenantId};
pub use job::{JobError, JobKind, JobStatus, JobView};
pub use pool::Pool;
