//! Run lopdf on a thread of its own: a large stack, a deadline the caller
//! does not wait past, and a panic that becomes an error instead of a crash.
//!
//! Why a thread per call:
//! * lopdf's parser is recursive (nom combinators). Since 0.47 it stops at a
//!   nesting depth of 100 (`[[[[…` 100,000 deep is an error, not an overflow;
//!   measured: that parse fits in 256 KiB of stack in this workspace's dev
//!   profile, where dependencies build at opt-level 1). lopdf's own nesting
//!   tests still run on a 64 MiB thread, and a stack overflow aborts the whole
//!   worker process, so the parse gets [`STACK_BYTES`] anyway as a margin for
//!   unoptimised builds and future parser changes. The memory is reserved,
//!   not committed, until used.
//! * The parse itself cannot look at a clock. If a hostile file makes it slow,
//!   the caller gets [`PdfError::Timeout`] at the deadline and the thread is
//!   left to finish on its own; its result is dropped. Everything after the
//!   parse checks the deadline cooperatively, so such a thread ends soon after.
//! * A panic inside lopdf (it is large and has `unwrap`s on paths hostile input
//!   can reach) ends that thread only, and is reported as a damaged PDF.
//!
//! All the public functions are blocking; call them from `spawn_blocking`.

use std::sync::mpsc;
use std::time::Duration;

use super::PdfError;
use super::limits::Deadline;

/// Stack reserved for the parsing thread.
pub(crate) const STACK_BYTES: usize = 64 * 1024 * 1024;

/// How long past the deadline the caller still waits for the worker's own
/// (cooperative) timeout before giving up on it.
const GRACE: Duration = Duration::from_millis(500);

/// Runs `work` on a fresh big-stack thread and waits for it until `deadline`.
pub(crate) fn run<T, F>(deadline: Deadline, work: F) -> Result<T, PdfError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, PdfError> + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("pdf-worker".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            // The receiver may be gone (the caller timed out); nothing to do then.
            let _ = tx.send(work());
        })
        .map_err(|e| PdfError::Malformed(format!("could not start the PDF worker thread: {e}")))?;
    match rx.recv_timeout(deadline.remaining() + GRACE) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(PdfError::Timeout),
        // The sender was dropped without sending: the worker panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(PdfError::Malformed("the PDF reader failed on this file".into()))
        }
    }
}

/// Like [`run`], but the worker streams items to `each` on the calling thread
/// while it works, so a caller can store page images one by one instead of
/// holding all of them. The channel holds one item, which keeps the worker at
/// most one page ahead of the consumer.
pub(crate) fn run_streaming<T, F, C>(deadline: Deadline, work: F, mut each: C) -> Result<(), PdfError>
where
    T: Send + 'static,
    F: FnOnce(&mpsc::SyncSender<Result<T, PdfError>>) -> Result<(), PdfError> + Send + 'static,
    C: FnMut(T) -> Result<(), PdfError>,
{
    let (tx, rx) = mpsc::sync_channel::<Result<T, PdfError>>(1);
    let (done_tx, done_rx) = mpsc::sync_channel::<Result<(), PdfError>>(1);
    std::thread::Builder::new()
        .name("pdf-worker".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let result = work(&tx);
            drop(tx);
            let _ = done_tx.send(result);
        })
        .map_err(|e| PdfError::Malformed(format!("could not start the PDF worker thread: {e}")))?;
    loop {
        match rx.recv_timeout(deadline.remaining() + GRACE) {
            Ok(Ok(item)) => each(item)?,
            Ok(Err(e)) => return Err(e),
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(PdfError::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    match done_rx.recv_timeout(deadline.remaining() + GRACE) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(PdfError::Timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(PdfError::Malformed("the PDF reader failed on this file".into()))
        }
    }
}
