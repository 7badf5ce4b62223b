//! The resident, supervised LibreOffice pool: Office documents (doc, docx,
//! xls, xlsx, ppt, pptx, odt, ods, odp, rtf, txt) → PDF.
//!
//! # Why resident
//!
//! A cold `soffice --headless --convert-to pdf` pays LibreOffice's start-up
//! for every document: about 2 s for a 1-page docx on the development
//! machine (2 cores, profile already initialized), against 60–100 ms in a
//! warm slot. The pool keeps one LibreOffice per worker slot running and
//! hands it documents, so a small document costs only its own load and
//! export.
//!
//! # The mechanism, and why not unoserver
//!
//! Each slot owns one LibreOffice process with its own profile directory,
//! driven over UNO by a small Python bridge we ship (`bridge.py`, built
//! into the binary and written into the slot's folder at every start). The
//! bridge runs under Debian's `/usr/bin/python3` because only that Python
//! has the `uno` module. We chose this over the unoserver sidecar because:
//! * one process tree per slot and nothing shared: no XML-RPC server, no TCP
//!   port to allocate, guard or leak; LibreOffice listens on a named pipe (a
//!   unix socket), which also works inside an empty network namespace;
//! * our own protocol, JSON lines over the bridge's stdin/stdout, so the
//!   worker reads typed replies and a dead bridge is simply EOF;
//! * full control of how documents are loaded (the media descriptor below)
//!   and of the interaction handler, which is how a password-protected
//!   file is recognized instead of hanging on a prompt.
//!
//! The bridge starts `soffice.bin` itself rather than the `soffice` shell
//! launcher (which runs it as a grandchild through `oosplash`), so the
//! office carries the bridge's PR_SET_PDEATHSIG and its pid is the one we
//! report; it redoes the launcher's one relevant job, starting again when a
//! fresh profile asks for it (exit code 81). It also works around a pyuno
//! bug of LibreOffice 7.4 under Python 3.11 that breaks reading interaction
//! requests (see `_patch_pyuno_exceptions` in the script).
//!
//! # Supervision
//!
//! * Every conversion runs under a timeout; on expiry the slot's whole
//!   process group (bridge + soffice) is SIGKILLed and the caller gets
//!   `document.conversion_timeout` at once, while the slot restarts in the
//!   background (same profile, fresh process).
//! * A dead, garbled or `crashed` bridge gives `office.crashed`
//!   (retryable) and a restart; an instance that dies while idle is noticed
//!   before the next document is sent to it.
//! * After `recycle_after` documents an instance is stopped cleanly and
//!   replaced, before it takes another document.
//! * A caller whose future is dropped mid-conversion (its job's own deadline
//!   fired) cannot wedge a slot: the slot's lease kills and restarts it.
//! * Other slots keep converting meanwhile; nothing blocks the async
//!   runtime (tokio processes and pipes throughout).
//!
//! # Hostile documents
//!
//! * **Macros never run.** The profile's `registrymodifications.xcu`
//!   (rewritten before every start) sets the macro security level to "very
//!   high" and disables macro execution; every document is loaded with
//!   `Hidden`, `ReadOnly`, `MacroExecutionMode = NEVER_EXECUTE` and
//!   `UpdateDocMode = NO_UPDATE`. Link updates, update checks, autosave and
//!   recovery are off too.
//! * **No network.** Each instance runs under `unshare --net` (see
//!   `isolation.rs`): `network_isolation = auto|required|off`.
//! * **No prompts.** The interaction handler answers every request with
//!   Abort (or Disapprove); a password request becomes
//!   `document.encrypted`.
//! * The user's file name is never used: the input is written as
//!   `in-<n>.<ext>`, `ext` checked against `[a-z0-9]{1,5}`.
//!
//! # Fault injection
//!
//! `fault_injection = true` (off by default; tests and operations drills
//! only) makes an input starting with `MEETEASY-FAULT:HANG` hang its
//! instance and one starting with `MEETEASY-FAULT:CRASH` SIGKILL its
//! soffice, to exercise the supervisor on a live pool.

mod error;
mod instance;
mod isolation;
mod pool;
mod preflight;
mod protocol;
mod settings;
mod slot;
mod stats;
mod workdir;

pub use error::{ConversionFailure, OfficeError};
pub use pool::OfficePool;
pub use preflight::{DEBIAN_PACKAGES, check as preflight};
pub use settings::{NetworkIsolation, OfficeSettings};
pub use stats::{InstanceInfo, OfficeStats};
