//! What the document jobs share on a CPU worker: their settings and the
//! resident LibreOffice pool.
//!
//! Why the pool starts lazily (and is pre-started in the background): a
//! worker that only ever sends email should not pay for two LibreOffice
//! processes, and a worker must not refuse email and analytics jobs because
//! LibreOffice is broken. `worker --pool cpu` pre-starts the pool so the
//! first document is warm; if starting fails, document jobs fail with a
//! retryable `office.unavailable` and the next attempt tries again.

mod settings;
pub mod state;

use std::sync::Arc;

use meeteasy_pipelines::office::{OfficeError, OfficePool};
use tokio::sync::OnceCell;

pub use settings::DocumentSettings;

pub struct Documents {
    pub settings: DocumentSettings,
    office: OnceCell<Arc<OfficePool>>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents").field("office_started", &self.office.initialized()).finish_non_exhaustive()
    }
}

impl Documents {
    pub fn new(settings: DocumentSettings) -> Arc<Self> {
        Arc::new(Self { settings, office: OnceCell::new() })
    }

    /// The LibreOffice pool, started on first use.
    pub async fn office(&self) -> Result<Arc<OfficePool>, OfficeError> {
        self.office.get_or_try_init(|| OfficePool::start(self.settings.office.clone())).await.cloned()
    }

    /// The pool if it is running (for metrics and shutdown).
    pub fn office_if_started(&self) -> Option<Arc<OfficePool>> {
        self.office.get().cloned()
    }

    /// Starts the pool in the background so the first document is warm.
    pub fn prestart(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            match me.office().await {
                Ok(_) => tracing::info!("LibreOffice pool started"),
                Err(e) => {
                    tracing::error!(error = %e, "LibreOffice pool could not start; document conversions will retry")
                }
            }
        });
    }
}
