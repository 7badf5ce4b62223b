//! What a transcription returns.

use serde::Serialize;

/// A transcribed clip. Times are seconds from the start of the clip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    /// The segments' text joined by spaces; empty when nobody spoke.
    pub text: String,
    /// The language transcribed (given, detected, or `"en"` for `.en` models).
    pub language: String,
    /// Length of the audio given, in seconds.
    pub duration: f32,
    pub segments: Vec<Segment>,
    pub timings: AsrTimings,
}

/// One stretch of speech, timestamps clamped to the clip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub start: f32,
    pub end: f32,
    pub text: String,
}

/// Where the time went. whisper-rs exposes no per-stage timings for a state
/// (whisper.cpp only prints them), so this is the wall time of the engine
/// call: mel spectrogram + encoder + decoder. Decoding the upload is the
/// caller's to measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AsrTimings {
    pub total_ms: f64,
    /// The encoder window used (frames; 1500 = the full 30 s).
    pub audio_ctx: i32,
}
