//! Running the workers of one or more pools until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{BackendExt, Monitor, WorkerBuilder, WorkerBuilderExt};
use meeteasy_models::Pool;

use super::Runtime;
use super::execute::execute;
use crate::JobSpec;
use crate::queue::{Queues, Tick};

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("worker monitor: {0}")]
    Monitor(String),
}

/// A unique worker name: queues track live workers by name. Every start,
/// restarts included, takes a fresh one: apalis-sqlite refuses to register
/// a name whose last heartbeat is recent (its `register_worker` forces a
/// constraint error), so a worker restarted under its old name failed to
/// start again and again until that heartbeat aged out, and its kind's jobs
/// waited (seen once in CI under load: a conversion `queued` for 180 s).
/// The old name's locked tasks are re-queued by the orphan reclaim.
fn worker_name(kind: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    format!("{kind}@{host}:{}:{}", std::process::id(), &suffix[suffix.len() - 8..])
}

/// Adds the worker of kind `J` to `monitor`.
pub(crate) fn register_kind<J: JobSpec>(monitor: Monitor, rt: &Arc<Runtime>) -> Monitor {
    let kind = J::KIND;
    let concurrency = rt.settings.pool(kind.pool()).concurrency.max(1);
    let poll = rt.settings.poll_interval();
    metrics::gauge!("meeteasy_worker_slots_total", "pool" => kind.pool().as_str(), "kind" => kind.as_str())
        .set(concurrency as f64);
    let rt = rt.clone();
    match &rt.queues {
        Queues::Redis { conn, .. } => {
            let storage = rt.queues.redis_storage::<J>(conn);
            monitor.register(move |_restarts| {
                WorkerBuilder::new(worker_name(kind.as_str()))
                    .backend(storage.clone().poll_with_strategy(Tick::every(poll)))
                    .data(rt.clone())
                    .concurrency(concurrency)
                    .build(execute::<J>)
            })
        }
        Queues::Sqlite { pool, .. } => {
            let storage = rt.queues.sqlite_storage::<J>(pool);
            monitor.register(move |_restarts| {
                WorkerBuilder::new(worker_name(kind.as_str()))
                    .backend(storage.clone().poll_with_strategy(Tick::every(poll)))
                    .data(rt.clone())
                    .concurrency(concurrency)
                    .build(execute::<J>)
            })
        }
    }
}

/// Runs every kind of `pools` until `shutdown` resolves, then stops
/// fetching and gives in-flight jobs the configured grace period. Jobs not
/// started stay queued for the next worker.
pub async fn run_pools<F>(rt: Arc<Runtime>, pools: &[Pool], shutdown: F) -> Result<(), RuntimeError>
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let mut monitor = Monitor::new().should_restart(restart_on_error);
    for pool in pools {
        monitor = crate::kinds::register_pool(monitor, &rt, *pool);
    }
    let janitor = tokio::spawn(janitor(rt.clone()));
    let sweeper = tokio::spawn(super::sweeper::run(rt.clone(), pools.to_vec()));
    let grace = Duration::from_secs(rt.settings.shutdown_grace_secs);
    let result = monitor.shutdown_timeout(grace).run_with_signal(shutdown).await;
    janitor.abort();
    sweeper.abort();
    result.map_err(|e| RuntimeError::Monitor(e.to_string()))
}

/// A worker whose queue stream fails (a Redis restart, a command that timed
/// out under load) is restarted, always. Without this apalis ends that
/// worker for good, and its kind's jobs would wait in the queue forever
/// while the process looks healthy. A persistent outage is throttled by the
/// connection manager's own reconnect backoff.
fn restart_on_error(worker: &apalis::prelude::WorkerContext, error: &apalis::prelude::WorkerError) -> bool {
    tracing::warn!(worker = worker.name(), restarts = worker.restarts(), %error, "worker stopped on an error; restarting it");
    metrics::counter!("meeteasy_worker_restarts_total").increment(1);
    true
}

/// Trims finished-task bookkeeping from the queue every minute.
async fn janitor(rt: Arc<Runtime>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match rt.queues.trim_finished(Duration::from_secs(3600)).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(trimmed = n, "trimmed finished queue entries"),
            Err(e) => tracing::warn!(error = %e, "queue trim failed"),
        }
    }
}
