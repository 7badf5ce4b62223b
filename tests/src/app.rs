//! The in-process application under test.

use std::time::{Duration, Instant};

use meeteasy_api::config::Settings;
use meeteasy_api::http::auth::JwtKeys;
use meeteasy_api::server;
use meeteasy_api::shutdown::Shutdown;
use meeteasy_jobs::JobControl;
use meeteasy_models::auth::Role;
use meeteasy_models::{Pool, TenantId};
use serde_json::Value;
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Scaled,
}

/// At least 32 bytes: `meeteasy api` and `meeteasy worker` refuse shorter.
pub const TEST_SECRET: &str = "test-secret-0123456789-0123456789-abcdef";

/// The MongoDB URL of the test server, with the database swapped for `db`.
pub fn mongodb_url(db: &str) -> String {
    let base = std::env::var("MEETEASY_TEST_MONGODB_URL").unwrap_or_else(|_| {
        panic!("MEETEASY_TEST_MONGODB_URL is not set: run the tests through scripts/test.sh, which starts the MongoDB wire server")
    });
    let (scheme, rest) = base.split_once("://").unwrap_or(("mongodb", base.as_str()));
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{host}/{db}")
}

pub fn redis_url() -> String {
    std::env::var("MEETEASY_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Settings for a fresh, isolated app.
pub fn test_settings(backend: Backend, dir: &std::path::Path) -> Settings {
    let mut s = Settings::default();
    let id = uuid::Uuid::now_v7().simple().to_string();
    if let Ok(models) = std::env::var("MEETEASY_MODELS_DIR") {
        s.models_dir = models.into();
    }
    s.listen = "127.0.0.1:0".into();
    s.data_dir = dir.to_path_buf();
    s.jwt_secret = TEST_SECRET.into();
    s.runtime.namespace = format!("test-{id}");
    s.runtime.poll_interval_ms = 10;
    s.runtime.heartbeat_secs = 1;
    s.runtime.missed_heartbeats = 2;
    s.runtime.shutdown_grace_secs = 5;
    // LibreOffice starts on an app's first Office document, not with every
    // test app (most never convert anything), and with one slot unless a
    // test asks for more.
    s.documents.prestart_office = false;
    s.documents.office.slots = 1;
    // One OCR engine thread: tests run in parallel on small machines.
    s.ocr.threads = 1;
    if backend == Backend::Scaled {
        s.mongodb_url = mongodb_url(&format!("t_{id}"));
        s.redis_url = redis_url();
    }
    s
}

/// Makes `kind` fail fast in tests: `max_attempts` attempts of at most
/// `timeout_secs`, with a one-second backoff.
pub fn quick_retries(s: &mut Settings, kind: &str, max_attempts: u32, timeout_secs: u64) {
    let fast = meeteasy_jobs::settings::JobTypeSettings {
        max_attempts,
        timeout_secs,
        backoff_base_secs: 1,
        backoff_max_secs: 1,
        ..Default::default()
    };
    s.runtime.jobs.insert(kind.into(), fast);
}

#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    pub jobs: JobControl,
    pub backends: server::Backends,
    pub settings: Settings,
    keys: JwtKeys,
    stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl TestApp {
    /// API plus in-process CPU workers.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, true, |_| {}).await
    }

    /// `workers: false` runs the API alone (for tests that bring their own
    /// worker processes); `tweak` adjusts settings before start-up.
    pub async fn spawn_with(backend: Backend, workers: bool, tweak: impl FnOnce(&mut Settings)) -> Self {
        let pools: &[Pool] = if workers { &[Pool::Cpu] } else { &[] };
        Self::spawn_pools(backend, pools, tweak).await
    }

    /// API plus in-process workers of `pools` (the AI pool loads the models
    /// from `MEETEASY_MODELS_DIR`).
    pub async fn spawn_pools(backend: Backend, pools: &[Pool], tweak: impl FnOnce(&mut Settings)) -> Self {
        init_test_log();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut settings = test_settings(backend, dir.path());
        tweak(&mut settings);
        let backends = match backend {
            Backend::Embedded => server::embedded(&settings).await,
            Backend::Scaled => server::scaled(&settings).await,
        }
        .unwrap_or_else(|e| panic!("backends for {backend:?}: {e:#}"));
        let jobs = backends.jobs.clone();
        let state = server::app_state(&settings, backends.clone()).unwrap_or_else(|e| panic!("state: {e:#}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let address = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}")));
        let (stop, shutdown) = Shutdown::manual();
        tokio::spawn(server::serve(listener, state, shutdown.clone()));
        if !pools.is_empty() {
            let (backends, settings, pools) = (backends.clone(), settings.clone(), pools.to_vec());
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            tokio::spawn(async move {
                let r = server::work(&backends, &settings, &pools, shutdown).await;
                let _ = ready_tx.send(r.map_err(|e| format!("{e:#}")));
            });
            // Surface start-up failures (e.g. missing models) instead of hanging.
            if let Ok(Ok(Err(e))) = tokio::time::timeout(Duration::from_millis(300), ready_rx).await {
                panic!("workers failed to start: {e}");
            }
        }
        let client = crate::http_client();
        TestApp {
            address,
            backend,
            client,
            jobs,
            backends,
            settings,
            keys: JwtKeys::hs256(TEST_SECRET),
            stop,
            _dir: dir,
        }
    }

    /// Environment for `meeteasy api` / `meeteasy worker` processes that
    /// share this app's Redis namespace, database and JWT secret.
    pub fn process_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MEETEASY_MONGODB_URL", self.settings.mongodb_url.clone()),
            ("MEETEASY_REDIS_URL", self.settings.redis_url.clone()),
            ("MEETEASY_JWT_SECRET", TEST_SECRET.to_string()),
            ("MEETEASY_RUNTIME__NAMESPACE", self.settings.runtime.namespace.clone()),
            ("MEETEASY_RUNTIME__HEARTBEAT_SECS", "1".into()),
            ("MEETEASY_RUNTIME__MISSED_HEARTBEATS", "2".into()),
            ("MEETEASY_RUNTIME__POLL_INTERVAL_MS", "10".into()),
        ]
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn token(&self, tenant: &str, role: Role) -> String {
        self.token_as(tenant, role, "test-user")
    }

    /// A token for a named user (`sub`): attendees see only what their
    /// `sub` created.
    pub fn token_as(&self, tenant: &str, role: Role, sub: &str) -> String {
        self.token_for(tenant, role, sub, Duration::from_secs(600))
    }

    pub fn token_for(&self, tenant: &str, role: Role, sub: &str, ttl: Duration) -> String {
        let tenant = TenantId::parse(tenant).unwrap_or_else(|e| panic!("tenant: {e}"));
        self.keys.mint(&tenant, sub, vec![role], ttl).unwrap_or_else(|e| panic!("mint: {e}"))
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Polls a job until its status is one of `wanted`, or panics after `within`.
    pub async fn wait_for_status(&self, token: &str, id: &str, wanted: &[&str], within: Duration) -> Value {
        let start = Instant::now();
        loop {
            let job: Value = json(self.get(&format!("/v1/jobs/{id}"), token).await).await;
            if wanted.iter().any(|w| job["status"] == *w) {
                return job;
            }
            assert!(start.elapsed() < within, "job {id} did not reach {wanted:?} within {within:?}; last: {job}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Reads a JSON body, panicking with the raw text if it is not JSON.
pub async fn json(resp: reqwest::Response) -> Value {
    let text = resp.text().await.unwrap_or_else(|e| panic!("body: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts the error shape and code, returning the body.
pub async fn assert_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let body = json(resp).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["message_key"], format!("errors.{code}"), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}

/// `TEST_LOG=debug` (any `RUST_LOG`-style filter) prints the server's and the
/// workers' logs to the test's stderr; silent otherwise.
fn init_test_log() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
}
