//! The AI pool's warm OCR engines: one [`OcrEngine`] (three ONNX Runtime
//! sessions) per worker slot, built once at start-up and reused.
//!
//! Why one engine per slot rather than one shared: `Session::run` needs
//! exclusive access, so a shared engine would serialize every slot behind
//! one lock. Each engine's sessions use `intra_threads` threads; slots ×
//! threads should not exceed the host's cores.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use meeteasy_ai::ocr::{ModelPaths, OcrEngine, OcrError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct OcrPool {
    engines: Vec<Arc<OcrEngine>>,
    free: Mutex<Vec<usize>>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for OcrPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrPool").field("slots", &self.engines.len()).finish_non_exhaustive()
    }
}

/// A checked-out engine; it goes back to the pool when dropped.
#[allow(missing_debug_implementations)]
pub struct OcrCheckout {
    pub engine: Arc<OcrEngine>,
    index: usize,
    pool: Arc<OcrPool>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for OcrCheckout {
    fn drop(&mut self) {
        if let Ok(mut free) = self.pool.free.lock() {
            free.push(self.index);
        }
    }
}

impl OcrPool {
    /// Builds `slots` engines (blocking: call from `spawn_blocking`).
    pub fn load(paths: &ModelPaths, slots: usize, intra_threads: usize) -> Result<Self, OcrError> {
        let started = Instant::now();
        let engines = (0..slots.max(1))
            .map(|_| OcrEngine::new(paths.clone(), intra_threads.max(1)).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        metrics::histogram!("meeteasy_model_load_seconds", "model" => "ppocr").record(started.elapsed().as_secs_f64());
        tracing::info!(slots = engines.len(), ms = started.elapsed().as_millis() as u64, "OCR models loaded");
        let n = engines.len();
        Ok(Self { engines, free: Mutex::new((0..n).collect()), permits: Arc::new(Semaphore::new(n)) })
    }

    pub async fn checkout(self: &Arc<Self>) -> Option<OcrCheckout> {
        let permit = self.permits.clone().acquire_owned().await.ok()?;
        let index = self.free.lock().ok()?.pop()?;
        Some(OcrCheckout { engine: self.engines[index].clone(), index, pool: self.clone(), _permit: permit })
    }
}
