//! Everything that can stop the speech engine from loading or from
//! transcribing one clip, split so callers can tell operator problems (a
//! missing or unloadable model) from per-request ones (bad options).

use std::path::PathBuf;

use crate::models_dir::MissingModels;

/// Errors produced by [`AsrModel`](super::AsrModel) and [`AsrSlot`](super::AsrSlot).
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error(transparent)]
    MissingModels(#[from] MissingModels),
    #[error("whisper model not found: {0}. Run `scripts/fetch-models.sh DIR` to build it")]
    ModelNotFound(PathBuf),
    #[error("whisper.cpp could not load {path}: {reason}")]
    ModelLoad { path: PathBuf, reason: String },
    /// Options the engine cannot honour (unknown language, NUL in the prompt…).
    #[error("invalid transcription options: {0}")]
    InvalidOptions(String),
    #[error("no audio samples to transcribe")]
    EmptyAudio,
    #[error("invalid audio: {0}")]
    InvalidAudio(String),
    #[error("whisper.cpp failed: {0}")]
    Engine(#[from] whisper_rs::WhisperError),
}

impl AsrError {
    /// A stable code for clients and job records.
    pub fn code(&self) -> &'static str {
        match self {
            AsrError::MissingModels(_) | AsrError::ModelNotFound(_) => "asr.model_missing",
            AsrError::ModelLoad { .. } => "asr.model_load",
            AsrError::InvalidOptions(_) => "asr.invalid_options",
            AsrError::EmptyAudio => "audio.empty",
            AsrError::InvalidAudio(_) => "asr.invalid_audio",
            AsrError::Engine(_) => "asr.engine",
        }
    }
}
