//! Local speech recognition: Whisper (whisper.cpp through whisper-rs).
//!
//! Two steps, kept apart so a worker can time and fail them separately:
//!
//! 1. [`decode_audio`] turns an upload (wav, mp3, ogg/vorbis, webm/mkv,
//!    m4a/aac, flac; detected from the bytes) into 16 kHz mono samples, with
//!    stable error codes for what clients sent wrong ([`AudioError::code`]);
//! 2. an [`AsrSlot`] transcribes them. The model ([`AsrModel`]) is loaded
//!    once per process and shared; each worker slot owns its own whisper.cpp
//!    state, so slots run in parallel without locks. Before Whisper, RNNoise
//!    denoises the clip and a voice-activity gate cuts out what is not
//!    speech; after it, hallucination guards drop invented text
//!    ([`NoiseRobustness`], on by default).
//!
//! ```no_run
//! use std::time::Duration;
//! use meeteasy_ai::ModelInventory;
//! use meeteasy_ai::asr::{AsrModel, TranscribeOptions, decode_audio};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let model = AsrModel::from_inventory(&ModelInventory::new("/srv/models"))?;
//! let mut slot = model.slot()?; // one per worker slot
//! # let upload: Vec<u8> = Vec::new();
//! let audio = decode_audio(&upload, Duration::from_secs(120))?;
//! let transcript = slot.transcribe(&audio.samples, &TranscribeOptions::default())?;
//! println!("{} ({} ms)", transcript.text, transcript.timings.total_ms);
//! # Ok(())
//! # }
//! ```
//!
//! Not supported: Opus (symphonia has no Opus decoder, and linking libopus
//! would add a native build dependency), so Opus in ogg or webm — what
//! browsers' MediaRecorder produces by default — is `audio.unsupported_format`.
//!
//! Build note: whisper.cpp is compiled by cmake; set
//! `WHISPER_DONT_GENERATE_BINDINGS=1` (no libclang needed) and, for binaries
//! that must run on other CPUs than the build machine, `GGML_NATIVE=OFF`
//! (the default builds with `-march=native`).

mod audio_error;
mod decode;
mod denoise;
mod error;
mod guards;
mod highpass;
mod model;
mod nonspeech;
mod options;
mod precheck;
mod resample;
mod robustness;
mod slot;
mod sniff;
mod transcript;
mod vad;
mod wer;

pub use audio_error::AudioError;
pub use decode::{DecodedAudio, MAX_CHANNELS, MAX_SAMPLE_RATE, decode_audio};
pub use error::AsrError;
pub use guards::{Rejection, SegmentScores};
pub use model::AsrModel;
pub use options::{FULL_AUDIO_CTX, SHORT_CLIP_AUDIO_CTX, SHORT_CLIP_S, TranscribeOptions, auto_audio_ctx};
pub use resample::WHISPER_SAMPLE_RATE;
pub use robustness::NoiseRobustness;
pub use slot::{AsrSlot, NO_SPEECH_THRESHOLD};
pub use transcript::{AsrTimings, DroppedSegment, Segment, Transcript};
pub use wer::word_error_rate;
