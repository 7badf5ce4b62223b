//! The CPU-side engines: work that turns inputs into outputs without knowing
//! how it was scheduled.
//!
//! Today these are the analytics rollup engine and the notification
//! templates. Document conversion (LibreOffice
//! and lopdf) and the searchable-PDF assembly join it later. Nothing here
//! touches a queue; the worker runtime in `jobs` calls in with what a job
//! carries and records what comes back.

pub mod analytics;
pub mod notify;
pub mod subtitles;
