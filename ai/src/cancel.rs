//! Cancellation that reaches blocking inference.
//!
//! Why: a job's deadline (or a user's cancel) drops the async future, but
//! the inference it started runs on a blocking thread that nothing can
//! stop from outside; its retry would then start beside it and two copies
//! would fight for the same cores. The job holds a [`CancelOnDrop`]; when
//! its future is dropped the flag flips, and OCR checks it between stages.
//!
//! Whisper is not wired to it: whisper-rs 0.16's `set_abort_callback_safe`
//! hands whisper.cpp a pointer to a boxed trait object but reads it back as
//! the closure type (a type confusion), and this workspace forbids the
//! `unsafe` needed to register a callback by hand. A transcription is bounded
//! by the clip length cap instead, and holds its slot's permit until it
//! ends, so a retry waits for it rather than running beside it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared "stop now" flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that cancels this flag when dropped: hold it in the future
    /// that waits for the blocking work.
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Cancels its flag when dropped (see [`Cancel::on_drop`]).
#[derive(Debug)]
pub struct CancelOnDrop(Cancel);

impl CancelOnDrop {
    /// The work finished: dropping the guard no longer cancels anything.
    pub fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_guard_cancels_and_disarming_does_not() {
        let c = Cancel::new();
        drop(c.on_drop());
        assert!(c.is_cancelled());
        let d = Cancel::new();
        d.on_drop().disarm();
        assert!(!d.is_cancelled());
    }
}
