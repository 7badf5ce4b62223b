//! Shared application state, built once per process.

use std::sync::Arc;

use meeteasy_jobs::JobControl;
use meeteasy_jobs::notify::Services;
use meeteasy_jobs::ratelimit::RateGate;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Settings;
use crate::http::auth::JwtKeys;
use crate::tickets::Tickets;

#[derive(Clone)]
pub struct AppState {
    pub jobs: JobControl,
    pub keys: Arc<JwtKeys>,
    pub settings: Arc<Settings>,
    pub prom: PrometheusHandle,
    /// Shared rate limits (per-tenant API requests).
    pub gate: RateGate,
    pub tickets: Tickets,
    /// Templates, mailer and egress policy (validation uses them too).
    pub services: Arc<Services>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("jobs", &self.jobs).finish_non_exhaustive()
    }
}
