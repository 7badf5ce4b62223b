//! Where one recognition spent its time.
//!
//! Why the engine reports it: the three models have very different costs
//! (detection dominates a sparse page, recognition a dense one), so a slow page
//! is only explainable with the split. Measuring costs a few `Instant::now()`
//! calls per image.

use std::time::Instant;

use serde::Serialize;

/// Milliseconds per stage of one [`super::OcrEngine::recognize_timed`] call.
/// `det` includes resizing and box post-processing; `crop` is the perspective
/// crops; `cls` and `rec` include their resizing and tensor packing; `total`
/// also counts waiting for the engine's lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct OcrTimings {
    pub det_ms: f64,
    pub crop_ms: f64,
    pub cls_ms: f64,
    pub rec_ms: f64,
    pub total_ms: f64,
    /// Of the above, the time inside ONNX Runtime (all three models); the
    /// rest is our own pre- and post-processing.
    pub infer_ms: f64,
    /// Text lines recognized (crops sent to the recognizer, re-checks included).
    pub rec_lines: usize,
    /// Width of the recognizer's input summed over its batches, padding
    /// included (the recognizer's cost is about linear in it).
    pub rec_width_px: u64,
}

/// Lap timer: each call returns the milliseconds since the previous one.
pub(super) struct Lap(Instant);

impl Lap {
    pub(super) fn start() -> Self {
        Self(Instant::now())
    }

    pub(super) fn lap(&mut self) -> f64 {
        let now = Instant::now();
        let ms = now.duration_since(self.0).as_secs_f64() * 1000.0;
        self.0 = now;
        ms
    }
}
