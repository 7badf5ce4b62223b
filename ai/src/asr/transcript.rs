//! What a transcription returns.

use serde::Serialize;

use super::guards::{Rejection, SegmentScores};

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
    /// Segments the hallucination guards dropped, for logs and benchmarks;
    /// never sent to clients.
    #[serde(skip)]
    pub dropped: Vec<DroppedSegment>,
}

/// A decoded segment that did not make it into the transcript, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedSegment {
    pub text: String,
    pub reason: Rejection,
    pub scores: SegmentScores,
}

/// One stretch of speech, timestamps clamped to the clip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub start: f32,
    pub end: f32,
    pub text: String,
    /// What the hallucination guards judged (logs and benchmarks only).
    #[serde(skip)]
    pub scores: SegmentScores,
}

/// Where the time went. whisper-rs exposes no per-stage timings for a state
/// (whisper.cpp only prints them), so `total_ms` is the wall time of the
/// whole call: denoiser and voice gate (`frontend_ms`) + mel spectrogram,
/// encoder and decoder. Decoding the upload is the caller's to measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AsrTimings {
    pub total_ms: f64,
    /// Denoiser and voice-activity gate.
    pub frontend_ms: f64,
    /// Seconds of audio Whisper was given (0 when the gate found no speech).
    pub speech_s: f32,
    /// The encoder window used (frames; 1500 = the full 30 s; 0 = not run).
    pub audio_ctx: i32,
}
