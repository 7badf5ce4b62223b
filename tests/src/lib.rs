//! Test harness: `spawn_app()`-style helpers that run the real API and
//! workers against real backends.
//!
//! - `Backend::Embedded`: SQLite store + queue in a temporary folder.
//! - `Backend::Scaled`: Redis (`MEETEASY_TEST_REDIS_URL`, default
//!   `redis://127.0.0.1:6379`) and the MongoDB wire server at
//!   `MEETEASY_TEST_MONGODB_URL` (started by `scripts/test.sh`).
//!
//! Every app gets its own queue namespace and database, so tests run in
//! parallel without seeing each other's jobs.

pub mod app;
pub mod attack;
pub mod cer;
mod docs_client;
pub mod documents;
pub mod jwt;
pub mod procs;
pub mod receiver;
pub mod redis_server;
pub mod smtp;
pub mod speech;

pub use app::{Backend, TestApp};

/// An HTTP client for tests (installs the TLS provider reqwest needs here).
pub fn http_client() -> reqwest::Client {
    meeteasy_jobs::notify::install_tls_provider();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"))
}

/// Runs an async test body once per backend, as two separate tests.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                ($body)($crate::Backend::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn scaled() {
                ($body)($crate::Backend::Scaled).await;
            }
        }
    };
}
