//! The parser sandbox: every step that parses bytes an uploader controls
//! (PDF inspection, repair, page images and text layers; Office containers;
//! audio probe and decode; image decode) runs in a short-lived child
//! process, `meeteasy __sandbox`, under an address-space limit, a CPU-time
//! limit and a wall clock.
//!
//! Why a process and not more validation: the allocations that kill workers
//! are inside dependencies (lopdf copying one array per object-stream entry,
//! symphonia sizing tables and Matroska elements from declared counts, a
//! Vorbis codebook whose size wraps to 0). Validating every declared size
//! ahead of those parsers means re-implementing them. An allocation failure
//! aborts the process, and `catch_unwind` cannot catch an abort; only a
//! process boundary contains it. With the child, such a file costs one
//! attempt: the job ends `dead` with `document.resource_limit`,
//! `image.resource_limit` or `audio.corrupt`, and the worker (and in
//! `meeteasy dev`, the API) stays up.
//!
//! The child is this same binary (no second artifact to deploy or to drift
//! out of step), started with a cleared environment, and it limits itself
//! before it reads its input (see `child.rs`). Requests and answers travel
//! as frames on its stdin and stdout (see `frame.rs`).

mod calls;
mod child;
mod exec;
pub mod frame;
pub mod op;
mod runner;
mod settings;

pub use calls::{Pcm, Pixels};
pub use child::{CHILD_ARG, child_main};
pub use exec::Answer;
pub use op::{Op, PageSourceWire, PdfCaps, Refusal};
pub use runner::Sandbox;
pub use settings::SandboxSettings;
