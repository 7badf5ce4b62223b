//! The AI pool's warm speech engine: one Whisper model per process, one
//! whisper.cpp state per worker slot.
//!
//! Why a pool of slots instead of a state per call: creating a state
//! allocates the model's working buffers (tens of MB); keeping one per slot
//! makes every transcription start warm, which is what keeps voice input
//! under a second.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use meeteasy_ai::asr::{AsrError, AsrModel, AsrSlot};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("the speech pool is shut down")]
    Closed,
    #[error(transparent)]
    Asr(#[from] AsrError),
}

impl SpeechError {
    pub fn code(&self) -> &'static str {
        match self {
            SpeechError::Closed => "asr.not_available",
            SpeechError::Asr(e) => e.code(),
        }
    }
}

pub struct SpeechPool {
    model: AsrModel,
    idle: Mutex<Vec<AsrSlot>>,
    permits: Arc<Semaphore>,
    /// whisper.cpp threads per transcription.
    pub threads: usize,
}

impl std::fmt::Debug for SpeechPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechPool").field("model", &self.model.path()).field("threads", &self.threads).finish()
    }
}

/// A checked-out slot; give it back with [`SpeechPool::give_back`].
#[allow(missing_debug_implementations)]
pub struct Checkout {
    pub slot: AsrSlot,
    _permit: OwnedSemaphorePermit,
}

impl SpeechPool {
    /// Loads the model and warms `slots` states (blocking: call from
    /// `spawn_blocking` or at start-up).
    pub fn load(
        path: &std::path::Path,
        slots: usize,
        threads: usize,
        noise: meeteasy_ai::asr::NoiseRobustness,
    ) -> Result<Self, AsrError> {
        let started = Instant::now();
        let model = AsrModel::load(path)?.with_noise_robustness(noise)?;
        let idle = (0..slots.max(1)).map(|_| model.slot()).collect::<Result<Vec<_>, _>>()?;
        metrics::histogram!("meeteasy_model_load_seconds", "model" => "whisper")
            .record(started.elapsed().as_secs_f64());
        tracing::info!(model = %path.display(), slots, ms = started.elapsed().as_millis() as u64, "speech model loaded");
        Ok(Self {
            model,
            idle: Mutex::new(idle),
            permits: Arc::new(Semaphore::new(slots.max(1))),
            threads: threads.max(1),
        })
    }

    pub async fn checkout(&self) -> Result<Checkout, SpeechError> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| SpeechError::Closed)?;
        let slot = self.idle.lock().ok().and_then(|mut v| v.pop());
        let slot = match slot {
            Some(s) => s,
            None => self.model.slot()?,
        };
        Ok(Checkout { slot, _permit: permit })
    }

    pub fn give_back(&self, checkout: Checkout) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(checkout.slot);
        }
    }
}
