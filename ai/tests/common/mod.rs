//! What the model-backed test binaries share: where the models are, and one
//! warm Whisper model or OCR engine per binary (loading is the slow part,
//! and sharing one between slots is what the engines are built for).
//!
//! Why a missing models folder fails instead of skipping: a skipped test
//! reads as green in CI while proving nothing. Fetch the models once with
//! `scripts/fetch-models.sh DIR` and run with `MEETEASY_MODELS_DIR=DIR`.
//!
//! Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use meeteasy_ai::ModelInventory;
use meeteasy_ai::asr::AsrModel;
use meeteasy_ai::ocr::{ModelPaths, OcrEngine};

/// `MEETEASY_MODELS_DIR`, or a panic naming what the tests need (`what`).
pub fn models_dir(what: &str) -> PathBuf {
    let Some(dir) = std::env::var_os("MEETEASY_MODELS_DIR").filter(|d| !d.is_empty()) else {
        panic!(
            "MEETEASY_MODELS_DIR is not set. These tests need {what}: run \
             `scripts/fetch-models.sh DIR` and rerun with MEETEASY_MODELS_DIR=DIR"
        );
    };
    PathBuf::from(dir)
}

/// The tiny.en Whisper model, loaded once for the test binary.
pub fn whisper_model() -> &'static AsrModel {
    static MODEL: OnceLock<AsrModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = models_dir("the Whisper model");
        AsrModel::from_inventory(&ModelInventory::new(dir)).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The OCR engine with two slots, built once for the test binary (ort
/// allows one runtime environment per process).
pub fn ocr_engine() -> &'static OcrEngine {
    static ENGINE: OnceLock<OcrEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = models_dir("the OCR models");
        let paths = ModelPaths::from_inventory(&ModelInventory::new(dir)).unwrap_or_else(|e| panic!("{e}"));
        OcrEngine::new(paths, 2).unwrap_or_else(|e| panic!("the OCR engine did not start: {e}"))
    })
}
