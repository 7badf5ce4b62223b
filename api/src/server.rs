//! Wiring: build the backends for a deployment shape, then serve HTTP and/or
//! run worker pools.
//!
//! - embedded (`meeteasy dev`): SQLite store + blobs folder, SQLite queue,
//!   in-process events and rate limits; API and both pools in one process.
//! - scale-out (`meeteasy api`, `meeteasy worker`): MongoDB + GridFS store,
//!   Redis queues, Redis pub/sub events and Redis rate limits.

use std::sync::Arc;

use anyhow::Context;
use meeteasy_ai::ocr::ModelPaths;
use meeteasy_jobs::JobControl;
use meeteasy_jobs::documents::Documents;
use meeteasy_jobs::events::EventBus;
use meeteasy_jobs::notify::Services;
use meeteasy_jobs::queue::Queues;
use meeteasy_jobs::ratelimit::RateGate;
use meeteasy_jobs::runtime::{Runtime, run_pools};
use meeteasy_jobs::speech::SpeechPool;
use meeteasy_jobs::store::mongo::MongoStore;
use meeteasy_jobs::store::sqlite::SqliteStore;
use meeteasy_jobs::store::timed::TimedStore;
use meeteasy_jobs::vision::OcrPool;
use meeteasy_models::Pool;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http::auth::{JwtKeys, TokenScope};
use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::tickets::Tickets;

/// The backends of one process.
#[derive(Debug, Clone)]
pub struct Backends {
    pub jobs: JobControl,
    pub gate: RateGate,
    pub tickets: Tickets,
    pub services: Arc<Services>,
}

fn services(settings: &Settings, gate: &RateGate) -> anyhow::Result<Arc<Services>> {
    let mut svc = Services::new(&settings.notifications, settings.smtp_url.as_deref(), gate.clone())
        .context("setting up notifications")?;
    svc.documents = Documents::new(settings.documents.clone());
    svc.sandbox = meeteasy_jobs::sandbox::Sandbox::new(&settings.sandbox);
    Ok(Arc::new(svc))
}

/// Embedded: everything under `settings.data_dir`.
pub async fn embedded(settings: &Settings) -> anyhow::Result<Backends> {
    let store = Arc::new(SqliteStore::open(&settings.data_dir).await.context("opening the embedded store")?);
    let queues =
        Queues::sqlite(&settings.data_dir, settings.runtime.clone()).await.context("opening the embedded queue")?;
    let tickets = Tickets::Embedded(store.clone());
    let store = TimedStore::wrap(store, &settings.store);
    let gate = RateGate::local();
    Ok(Backends {
        jobs: JobControl { store, queues, events: EventBus::local() },
        services: services(settings, &gate)?,
        gate,
        tickets,
    })
}

/// Scale-out: Redis + MongoDB from `MEETEASY_REDIS_URL` / `MEETEASY_MONGODB_URL`.
pub async fn scaled(settings: &Settings) -> anyhow::Result<Backends> {
    let store = MongoStore::connect(&settings.mongodb_url).await.context("connecting to MongoDB")?;
    let queues = Queues::redis(&settings.redis_url, settings.runtime.clone()).await.context("connecting to Redis")?;
    let conn = match &queues {
        Queues::Redis { conn, .. } => conn.clone(),
        Queues::Sqlite { .. } => anyhow::bail!("scale-out needs the Redis queue"),
    };
    let store = TimedStore::wrap(Arc::new(store), &settings.store);
    let namespace = settings.runtime.namespace.clone();
    let gate = RateGate::redis(conn.clone(), &namespace);
    Ok(Backends {
        services: services(settings, &gate)?,
        gate,
        tickets: Tickets::Redis { conn: conn.clone(), namespace },
        jobs: JobControl { store, queues, events: EventBus::with_redis(conn, &settings.runtime.namespace) },
    })
}

/// The token keys. Callers check the secret first (`Settings::check_secret`):
/// this only builds what the configuration names.
pub fn jwt_keys(settings: &Settings) -> anyhow::Result<JwtKeys> {
    let scope = TokenScope { issuer: settings.jwt_issuer.clone(), audience: settings.jwt_audience.clone() };
    match settings.public_key() {
        Some(pem) => Ok(JwtKeys::rs256(pem, scope)?),
        None => Ok(JwtKeys::hs256_scoped(&settings.jwt_secret, scope)),
    }
}

/// The API's state. Also starts relaying job events from Redis (scale-out)
/// so Socket.IO clients of this instance see every worker's events.
pub fn app_state(settings: &Settings, backends: Backends) -> anyhow::Result<AppState> {
    backends.jobs.events.relay_from_redis(&settings.redis_url);
    Ok(AppState {
        jobs: backends.jobs,
        keys: Arc::new(jwt_keys(settings)?),
        settings: Arc::new(settings.clone()),
        prom: crate::metrics::install(),
        gate: backends.gate,
        tickets: backends.tickets,
        services: backends.services,
    })
}

/// Serves the API on `listener` until `shutdown`, with the metrics gauges
/// refreshed in the background (and served on `metrics.listen` when set).
pub async fn serve(listener: TcpListener, state: AppState, shutdown: Shutdown) -> anyhow::Result<()> {
    let metrics = &state.settings.metrics;
    crate::metrics::spawn_refresher(
        state.jobs.clone(),
        std::time::Duration::from_secs(metrics.refresh_secs),
        shutdown.clone(),
    );
    if let Some(addr) = &metrics.listen {
        serve_metrics(addr, state.prom.clone(), metrics.bearer_token.clone(), shutdown.clone()).await?;
    }
    let app = crate::app::router(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown.wait()).await.context("HTTP server")
}

/// Serves `/healthz` and `/metrics` on `addr` in the background.
pub async fn serve_metrics(
    addr: &str,
    prom: metrics_exporter_prometheus::PrometheusHandle,
    token: Option<String>,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} for metrics"))?;
    tracing::info!(listen = %listener.local_addr()?, "metrics endpoint ready");
    let app = crate::app::metrics_router(prom, token);
    tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(shutdown.wait()).await });
    Ok(())
}

/// Checks what a pool needs before it takes jobs: the AI pool refuses to
/// start without its models, naming the command that fetches them.
pub async fn preflight(settings: &Settings, pools: &[Pool]) -> anyhow::Result<()> {
    if pools.contains(&Pool::Ai) {
        let inventory = meeteasy_ai::ModelInventory::new(&settings.models_dir);
        inventory.verify()?;
        settings.whisper_model()?;
    }
    if pools.contains(&Pool::Cpu) {
        meeteasy_pipelines::office::preflight(&settings.documents.office).await?;
    }
    Ok(())
}

/// The OCR models, found in the models folder (the ONNX Runtime library
/// may be configured elsewhere).
fn ocr_model_paths(settings: &Settings) -> anyhow::Result<ModelPaths> {
    let inventory = meeteasy_ai::ModelInventory::new(&settings.models_dir);
    let mut paths = ModelPaths::from_inventory(&inventory)?;
    if let Some(lib) = &settings.ocr.ort_dylib_path {
        paths.ort_dylib = Some(lib.clone());
    }
    Ok(paths)
}

/// Runs worker pools until `shutdown`, then drains within the grace period.
pub async fn work(backends: &Backends, settings: &Settings, pools: &[Pool], shutdown: Shutdown) -> anyhow::Result<()> {
    let jobs = &backends.jobs;
    let mut services = backends.services.clone();
    if pools.contains(&Pool::Ai) {
        // Load the speech model once, before taking jobs: every slot starts warm.
        let path = settings.whisper_model()?;
        let (slots, threads) = (settings.runtime.ai.concurrency, settings.asr.threads);
        let noise = settings.asr.noise.clone();
        let pool = tokio::task::spawn_blocking(move || SpeechPool::load(&path, slots, threads, noise))
            .await
            .context("loading the speech model")??;
        // The OCR engines likewise: one per AI slot, sessions built once.
        let paths = ocr_model_paths(settings)?;
        let ocr_threads = settings.ocr.threads;
        let ocr = tokio::task::spawn_blocking(move || OcrPool::load(&paths, slots, ocr_threads))
            .await
            .context("loading the OCR models")??;
        let mut svc = (*services).clone();
        svc.speech = Some(Arc::new(pool));
        svc.vision = Some(Arc::new(ocr));
        services = Arc::new(svc);
    }
    if pools.contains(&Pool::Cpu) && settings.documents.prestart_office {
        services.documents.prestart();
    }
    let rt = Runtime::new(jobs.store.clone(), jobs.queues.clone(), jobs.events.clone(), services);
    run_pools(rt, pools, async move {
        shutdown.wait().await;
        Ok(())
    })
    .await
    .context("worker pools")
}
