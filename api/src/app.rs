//! The router: routes, per-route body limits and middleware.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::error::ApiError;
use crate::http::{i18n, timeout};
use crate::openapi::ApiDoc;
use crate::routes::{
    analytics, auth, diagnostics, documents, jobs, notifications, ocr, openai, ops, transcriptions, webhooks,
};
use crate::state::AppState;

async fn fallback() -> ApiError {
    ApiError::NotFound("route.not_found")
}

pub fn router(state: AppState) -> Router {
    let json_limit = state.settings.limits.json_body_bytes;
    let audio_limit = state.settings.limits.audio_body_bytes;
    let document_limit = state.settings.limits.document_body_bytes;
    let sockets = crate::realtime::layer(
        crate::realtime::RealtimeState {
            keys: state.keys.clone(),
            store: state.jobs.store.clone(),
            gate: state.gate.clone(),
        },
        &state.jobs.events,
    );
    let request_id = HeaderName::from_static("x-request-id");
    let limits = &state.settings.limits;
    let secs = |n: u64| std::time::Duration::from_secs(n.max(1));
    let request_deadline = middleware::from_fn_with_state(secs(limits.request_timeout_secs), timeout::middleware);
    // Uploads take as long as the client needs to send them; the long
    // polls' own caps (10 s, `asr.sync_wait_secs`) sit well inside this.
    let upload_deadline = secs(limits.upload_timeout_secs.max(state.settings.asr.sync_wait_secs + 30));
    let upload_deadline = middleware::from_fn_with_state(upload_deadline, timeout::middleware);
    let v1 = Router::new()
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/jobs/{id}/retry", post(jobs::retry))
        .route("/queues", get(jobs::queues))
        .route("/analytics/events", post(analytics::ingest))
        .route("/analytics/summary", get(analytics::summary))
        .route("/diagnostics/sleep", post(diagnostics::sleep))
        .route("/notifications/email", post(notifications::email))
        .route("/notifications/sms", post(notifications::sms))
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/{id}", axum::routing::delete(webhooks::delete))
        .route("/auth/tickets", post(auth::issue))
        .route("/auth/tickets/exchange", post(auth::exchange))
        .layer(DefaultBodyLimit::max(json_limit))
        .route("/documents/{id}", get(documents::get))
        .route("/documents/{id}/pdf", get(documents::pdf))
        .route("/documents/{id}/text", get(documents::text))
        .layer(request_deadline)
        .merge(
            Router::new()
                .route("/transcriptions", post(transcriptions::create))
                .route("/audio/transcriptions", post(openai::create))
                .layer(DefaultBodyLimit::max(audio_limit))
                .layer(upload_deadline.clone()),
        )
        .merge(
            Router::new()
                .route("/documents", post(documents::upload))
                .route("/ocr", post(ocr::create))
                .layer(DefaultBodyLimit::max(document_limit))
                .layer(upload_deadline),
        );
    // `/metrics` moves to its own listener when `metrics.listen` is set.
    let root = if state.settings.metrics.listen.is_some() {
        Router::new()
    } else {
        Router::new().route("/metrics", get(ops::metrics))
    };
    root.nest("/v1", v1)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        // A route layer sees the matched route template, so metrics are
        // labelled `/v1/jobs/{id}` rather than one series per id.
        .route_layer(middleware::from_fn(crate::metrics::track_http))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
        .fallback(fallback)
        .layer(middleware::from_fn(i18n::middleware))
        .layer(middleware::from_fn(crate::http::linger::middleware))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id, tenant_id = tracing::field::Empty)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(sockets)
        .with_state(state)
}

/// The small HTTP surface of a worker process: `/healthz` and `/metrics`;
/// also the API's own metrics listener when `metrics.listen` is set.
pub fn metrics_router(prom: metrics_exporter_prometheus::PrometheusHandle, token: Option<String>) -> Router {
    Router::new().route("/healthz", get(ops::healthz)).route(
        "/metrics",
        get(move |headers: axum::http::HeaderMap| {
            let (prom, token) = (prom.clone(), token.clone());
            async move { ops::render(&prom, token.as_deref(), &headers) }
        }),
    )
}
