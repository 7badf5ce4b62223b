//! The loaded Whisper model, shared by every slot of a worker.
//!
//! Why model and slots are separate types: whisper.cpp keeps the weights in a
//! context (~75 MB for tiny.en, read-only once loaded) and the per-run buffers
//! (mel, KV caches, results) in a state. One context per process and one state
//! per worker slot lets N slots transcribe in parallel for the memory of one
//! model plus N small states.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use whisper_rs::{WhisperContext, WhisperContextParameters};

use super::error::AsrError;
use super::robustness::NoiseRobustness;
use super::slot::AsrSlot;
use crate::models_dir::ModelInventory;

/// A loaded ggml Whisper model. Cheap to clone (an `Arc`), `Send + Sync`.
#[derive(Debug, Clone)]
pub struct AsrModel {
    ctx: Arc<WhisperContext>,
    path: PathBuf,
    multilingual: bool,
    /// What new slots start with.
    noise: NoiseRobustness,
}

impl AsrModel {
    /// Loads a ggml model file (e.g. `whisper/ggml-tiny.en.bin`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, AsrError> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(AsrError::ModelNotFound(path));
        }
        silence_native_logs();
        let ctx = WhisperContext::new_with_params(&path, WhisperContextParameters::default())
            .map_err(|e| AsrError::ModelLoad { path: path.clone(), reason: e.to_string() })?;
        let multilingual = ctx.is_multilingual();
        Ok(Self { ctx: Arc::new(ctx), path, multilingual, noise: NoiseRobustness::default() })
    }

    /// The same model with other noise settings for the slots made from it
    /// (denoiser, voice gate, hallucination guards).
    pub fn with_noise_robustness(mut self, noise: NoiseRobustness) -> Result<Self, AsrError> {
        noise.validate()?;
        self.noise = noise;
        Ok(self)
    }

    pub fn noise_robustness(&self) -> &NoiseRobustness {
        &self.noise
    }

    /// Loads the model a models folder laid out by `scripts/fetch-models.sh`
    /// holds; a missing file names the fetch command.
    pub fn from_inventory(inventory: &ModelInventory) -> Result<Self, AsrError> {
        Self::load(inventory.whisper_model()?)
    }

    /// A new worker slot (one whisper.cpp state, a few tens of MB).
    pub fn slot(&self) -> Result<AsrSlot, AsrError> {
        AsrSlot::new(self)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `false` for the `.en` models, which only transcribe English.
    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    pub(crate) fn context(&self) -> &WhisperContext {
        &self.ctx
    }
}

/// whisper.cpp writes its load and timing logs to stderr; route them to the
/// (disabled) `log` facade instead, once per process.
fn silence_native_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(whisper_rs::install_logging_hooks);
}
