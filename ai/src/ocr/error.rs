//! Everything that can stop the OCR engine from starting or from reading one
//! image, as one enum so callers can tell operator problems (missing models,
//! unloadable runtime) from per-image problems (an invalid image).

use std::path::PathBuf;

use crate::models_dir::MissingModels;

/// Errors produced by the OCR engine.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The caller gave up (its job timed out or was cancelled).
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    MissingModels(#[from] MissingModels),
    #[error("model file not found: {0}")]
    ModelNotFound(PathBuf),
    #[error("failed to load ONNX Runtime library: {0}")]
    RuntimeLoad(String),
    #[error("ONNX Runtime error: {0}")]
    Ort(#[from] ort::Error),
    #[error("recognizer model has no `character` metadata")]
    MissingCharset,
    #[error("unexpected model output shape {shape:?} from {model}")]
    BadOutput { model: &'static str, shape: Vec<usize> },
    #[error("invalid image: {0}")]
    InvalidImage(String),
    #[error("internal lock poisoned")]
    Poisoned,
}

impl From<ort::Error<ort::session::builder::SessionBuilder>> for OcrError {
    fn from(e: ort::Error<ort::session::builder::SessionBuilder>) -> Self {
        OcrError::Ort(ort::Error::from(e))
    }
}
