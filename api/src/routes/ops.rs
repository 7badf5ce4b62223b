//! `/healthz`, `/readyz`, `/metrics`.

use axum::extract::State;
use axum::http::{StatusCode, header};
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

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format")))]
pub async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    crate::metrics::refresh_backlog(&st.jobs).await;
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], st.prom.render())
}
