//! The pool: N slots, a semaphore in front of them, and the lease that
//! makes sure a slot always comes back in a usable state.
//!
//! A caller takes a permit (waiting while every slot is busy), then an idle
//! slot, and holds both in a [`Lease`]. Whatever happens to the caller's
//! future — it finishes, fails, or is dropped because the job's own deadline
//! fired — the lease's `Drop` returns the slot: as is when its instance is
//! healthy, or after a restart, done in a background task that keeps the
//! permit until the new instance is up. A hung or crashed instance
//! therefore never wedges a slot, the caller gets its error at once, and the
//! other slots keep converting meanwhile.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::error::{ConversionFailure, OfficeError};
use super::instance::InstanceConfig;
use super::isolation;
use super::preflight;
use super::settings::OfficeSettings;
use super::slot::Slot;
use super::stats::{InstanceInfo, Monitor, OfficeStats};
use super::workdir::WorkDir;

/// How long a clean stop (recycle, shutdown) may take before the instance
/// is killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// The resident LibreOffice pool. See the module docs of [`super`].
#[derive(Debug)]
pub struct OfficePool {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    settings: OfficeSettings,
    config: InstanceConfig,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Slot>>,
    /// Signalled whenever a slot is returned (shutdown waits on it).
    returned: Notify,
    closed: AtomicBool,
    monitor: Arc<Monitor>,
    /// Dropped last: the slots' instances must be gone before their folders.
    work: WorkDir,
}

impl OfficePool {
    /// Checks the installation, decides on network isolation, and starts
    /// every slot's instance (concurrently). Fails with `office.start_failed`
    /// when anything is missing, naming the Debian packages to install.
    pub async fn start(settings: OfficeSettings) -> Result<Arc<Self>, OfficeError> {
        settings.validate().map_err(OfficeError::start_failed)?;
        preflight::check(&settings).await?;
        let isolated = isolation::decide(settings.network_isolation).await?;
        let python = preflight::find_executable(&settings.python).unwrap_or_else(|| settings.python.clone());
        let soffice = preflight::find_executable(&settings.soffice).unwrap_or_else(|| settings.soffice.clone());
        let work = WorkDir::open(settings.work_dir.as_deref())
            .map_err(|e| OfficeError::start_failed(format!("cannot create the office work dir: {e}")))?;
        if work.root().to_str().is_none() {
            return Err(OfficeError::start_failed("the office work dir's path must be UTF-8"));
        }
        static POOLS: AtomicU64 = AtomicU64::new(0);
        let config = InstanceConfig {
            python,
            soffice,
            isolated,
            start_timeout: settings.start_timeout,
            shutdown_grace: SHUTDOWN_GRACE,
            fault_injection: settings.fault_injection,
            pool_tag: format!("{}-{}", std::process::id(), POOLS.fetch_add(1, Ordering::Relaxed)),
        };
        if settings.fault_injection {
            tracing::warn!("office: fault injection is ON: documents can hang or crash their instance on purpose");
        }
        let monitor = Arc::new(Monitor::default());
        let mut starting = JoinSet::new();
        for index in 0..settings.slots {
            let mut slot = Slot::new(index, work.slot(index));
            let config = config.clone();
            let monitor = Arc::clone(&monitor);
            starting.spawn(async move {
                let result = slot.start(&config, &monitor).await;
                (slot, result)
            });
        }
        let mut slots = Vec::with_capacity(settings.slots);
        let mut first_error = None;
        while let Some(joined) = starting.join_next().await {
            match joined {
                Ok((slot, result)) => {
                    if let Err(e) = result {
                        first_error.get_or_insert(e);
                    }
                    slots.push(slot);
                }
                Err(e) => {
                    first_error.get_or_insert(OfficeError::start_failed(format!("a slot's start panicked: {e}")));
                }
            }
        }
        if let Some(e) = first_error {
            for slot in slots {
                slot.shutdown(Duration::from_secs(2), &monitor).await;
            }
            return Err(e);
        }
        slots.sort_by_key(|s| std::cmp::Reverse(s.index));
        tracing::info!(slots = settings.slots, network_isolated = isolated, dir = %work.root().display(), "office: pool ready");
        let permits = Arc::new(Semaphore::new(settings.slots));
        Ok(Arc::new(Self {
            shared: Arc::new(Shared {
                settings,
                config,
                permits,
                idle: Mutex::new(slots),
                returned: Notify::new(),
                closed: AtomicBool::new(false),
                monitor,
                work,
            }),
        }))
    }

    /// Converts one Office document to PDF and returns the PDF's bytes.
    ///
    /// `ext` is the type the caller recognized from the magic bytes (`docx`,
    /// `xls`, `txt`...): LibreOffice's type detection starts from it. It
    /// must be 1 to 5 ASCII letters or digits; the user's file name is never
    /// used. `timeout` defaults to the configured `convert_timeout`.
    pub async fn convert(&self, input: &[u8], ext: &str, timeout: Option<Duration>) -> Result<Vec<u8>, OfficeError> {
        let ext = sanitize_ext(ext)?;
        let shared = &self.shared;
        if shared.closed.load(Ordering::Acquire) {
            return Err(OfficeError::unavailable("the office pool is shut down"));
        }
        let permit = Arc::clone(&shared.permits)
            .acquire_owned()
            .await
            .map_err(|_| OfficeError::unavailable("the office pool is shut down"))?;
        let slot = shared.lock_idle().pop();
        let Some(slot) = slot else {
            return Err(OfficeError::unavailable("no idle slot although a permit was granted"));
        };
        let mut lease = Lease { shared: Arc::clone(shared), slot: Some(slot), permit: Some(permit) };
        let limit = timeout.unwrap_or(shared.settings.convert_timeout);
        let result = match lease.slot.as_mut() {
            Some(slot) => {
                slot.convert(&shared.config, &shared.monitor, shared.settings.recycle_after, input, &ext, limit).await
            }
            None => Err(OfficeError::unavailable("the lease lost its slot")),
        };
        match &result {
            Ok(_) => Monitor::bump(&shared.monitor.conversions),
            Err(_) => Monitor::bump(&shared.monitor.failures),
        }
        drop(lease);
        result
    }

    /// Counters for metrics.
    pub fn stats(&self) -> OfficeStats {
        let slots = self.shared.settings.slots;
        let busy = slots.saturating_sub(self.shared.permits.available_permits());
        self.shared.monitor.snapshot(slots, busy)
    }

    /// Each slot's current instance (pids, version, isolation).
    pub fn instances(&self) -> Vec<InstanceInfo> {
        self.shared.monitor.instances()
    }

    /// Whether the instances run in a network namespace of their own.
    pub fn network_isolated(&self) -> bool {
        self.shared.config.isolated
    }

    /// The folder holding the slots' profiles and in-flight files.
    pub fn work_dir(&self) -> &std::path::Path {
        self.shared.work.root()
    }

    pub fn settings(&self) -> &OfficeSettings {
        &self.shared.settings
    }

    /// Stops taking documents (waiting callers get `office.unavailable`),
    /// lets the conversions in flight finish, then stops every instance
    /// cleanly, killing any that do not stop within a grace period. Only the
    /// first call waits; later calls return at once.
    pub async fn shutdown(&self) {
        let shared = &self.shared;
        if shared.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        shared.permits.close();
        let total = shared.settings.slots;
        let mut stopped = 0;
        let mut stopping = JoinSet::new();
        while stopped < total {
            let batch = std::mem::take(&mut *shared.lock_idle());
            for slot in batch {
                stopped += 1;
                let shared = Arc::clone(shared);
                stopping.spawn(async move { slot.shutdown(SHUTDOWN_GRACE, &shared.monitor).await });
            }
            if stopped < total {
                shared.returned.notified().await;
            }
        }
        while stopping.join_next().await.is_some() {}
        tracing::info!("office: pool stopped");
    }
}

impl Shared {
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Slot>> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn put_back(&self, slot: Slot) {
        self.lock_idle().push(slot);
        self.returned.notify_one();
    }
}

/// A slot on loan, with the permit that goes with it. See the module docs.
#[derive(Debug)]
struct Lease {
    shared: Arc<Shared>,
    slot: Option<Slot>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else { return };
        let shared = Arc::clone(&self.shared);
        if !slot.needs_restart(shared.settings.recycle_after) {
            shared.put_back(slot);
            return;
        }
        // Killed now, synchronously: a conversion abandoned mid-flight must
        // not keep running, runtime or not. A recycle stops it cleanly below.
        if slot.in_flight() {
            tracing::warn!(slot = slot.index, "office: a conversion was abandoned; killing its instance");
            slot.kill_now(&shared.monitor);
        }
        if shared.closed.load(Ordering::Acquire) {
            // Shutting down: `shutdown` stops what is left.
            shared.put_back(slot);
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let permit = self.permit.take();
                runtime.spawn(async move {
                    slot.restart(&shared.config, &shared.monitor).await;
                    shared.put_back(slot);
                    drop(permit);
                });
            }
            Err(_) => {
                // No runtime to restart on: the next document starts one.
                slot.kill_now(&shared.monitor);
                shared.put_back(slot);
            }
        }
    }
}

/// The extension LibreOffice sees: `[a-z0-9]{1,5}` after lower-casing.
fn sanitize_ext(ext: &str) -> Result<String, OfficeError> {
    let ext = ext.to_ascii_lowercase();
    if (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        Ok(ext)
    } else {
        Err(OfficeError::ConversionFailed {
            reason: ConversionFailure::Unsupported,
            detail: format!("{:?} is not a document extension", ext.chars().take(16).collect::<String>()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_short_lowercase_alphanumerics() {
        assert_eq!(sanitize_ext("docx").ok().as_deref(), Some("docx"));
        assert_eq!(sanitize_ext("PPTX").ok().as_deref(), Some("pptx"));
        for bad in ["", "docxxx", "../x", "d.cx", "tx t", "dóc", "pdf\n"] {
            let err = sanitize_ext(bad).err();
            assert_eq!(err.map(|e| e.code()), Some("document.conversion_failed"), "{bad:?}");
        }
    }
}
