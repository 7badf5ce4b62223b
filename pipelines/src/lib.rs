//! The CPU-side engines: work that turns inputs into outputs without knowing
//! how it was scheduled.
//!
//! * [`analytics`]: the rollup engine;
//! * [`notify`]: the email and SMS templates; [`subtitles`]: SRT/VTT;
//! * [`documents`]: what an upload is (magic bytes, never the name) and the
//!   container checks that run before any parser sees it (zip bombs,
//!   encrypted Office files);
//! * [`office`]: the resident, supervised LibreOffice pool (Office → PDF);
//! * [`pdf`]: lopdf inspection, normalization, page-image extraction and
//!   the searchable-PDF assembly.
//!
//! Nothing here touches a queue; the worker runtime in `jobs` calls in with
//! what a job carries and records what comes back.

pub mod analytics;
pub mod documents;
pub mod notify;
pub mod office;
pub mod pdf;
pub mod subtitles;
