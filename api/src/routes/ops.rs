//! `/healthz`, `/readyz`, `/metrics`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use crate::http::error::ApiError;
use crate::state::AppState;

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> impl IntoResponse {
    axum::Json(json!({"status": "ok"}))
}

/// Readiness: the store and the queue answer.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready"), (status = 503, body = crate::openapi::ErrorBody)))]
pub async fn readyz(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    st.jobs.store.ping().await.map_err(|e| ApiError::Unavailable(format!("store: {e}")))?;
    st.jobs.queues.ping().await.map_err(|e| ApiError::Unavailable(format!("queue: {e}")))?;
    Ok(axum::Json(json!({
        "status": "ready",
        "store": st.jobs.store.backend_name(),
        "queue": st.jobs.queues.backend_name(),
    })))
}

/// Prometheus text exposition of cached values (no store query per
/// scrape). Needs `Authorization: Bearer <metrics.bearer_token>` when that
/// is configured.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format"), (status = 401, body = crate::openapi::ErrorBody)))]
pub async fn metrics(State(st): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    render(&st.prom, st.settings.metrics.bearer_token.as_deref(), &headers)
}

/// Renders the metrics after checking the optional bearer token (shared by
/// the API, its separate metrics listener and the worker endpoint).
pub fn render(
    prom: &metrics_exporter_prometheus::PrometheusHandle,
    token: Option<&str>,
    headers: &HeaderMap,
) -> Result<impl IntoResponse + use<>, ApiError> {
    if let Some(expected) = token.filter(|t| !t.is_empty()) {
        let given =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let ok = given.is_some_and(|g| constant_time_eq(g.trim().as_bytes(), expected.as_bytes()));
        if !ok {
            return Err(if given.is_some() { ApiError::InvalidToken } else { ApiError::MissingToken });
        }
    }
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], prom.render()))
}

/// Compares without an early exit, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
