//! The OpenAPI document served at `/openapi.json` (Swagger UI at `/docs`).

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::openapi_errors::CommonErrors;

/// The error shape every failure uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `job.not_found`.
    pub code: String,
    /// `errors.<code>`, for client-side translation.
    pub message_key: String,
    /// Localized from `Accept-Language` (en, zh-CN).
    pub message: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "MeetEasy Jobs API", description = "Job pipeline for event platforms: documents, OCR, speech, notifications and analytics."),
    paths(
        crate::routes::jobs::list,
        crate::routes::jobs::get,
        crate::routes::jobs::cancel,
        crate::routes::jobs::retry,
        crate::routes::jobs::queues,
        crate::routes::analytics::ingest,
        crate::routes::analytics::summary,
        crate::routes::diagnostics::sleep,
        crate::routes::notifications::email,
        crate::routes::notifications::sms,
        crate::routes::webhooks::create,
        crate::routes::webhooks::list,
        crate::routes::webhooks::delete,
        crate::routes::documents::upload,
        crate::routes::documents::get,
        crate::routes::documents::pdf,
        crate::routes::documents::text,
        crate::routes::ocr::create,
        crate::routes::transcriptions::create,
        crate::routes::openai::create,
        crate::routes::auth::issue,
        crate::routes::auth::exchange,
        crate::routes::ops::healthz,
        crate::routes::ops::readyz,
        crate::routes::ops::metrics,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &CommonErrors),
    tags(
        (name = "jobs", description = "Job status, cancellation and retries"),
        (name = "analytics", description = "Event ingestion and rollups"),
        (name = "notifications", description = "Email and SMS from templates"),
        (name = "webhooks", description = "Signed job-event deliveries to tenant endpoints"),
        (name = "documents", description = "Office files, PDFs and scans to PDF, text and searchable PDF"),
        (name = "ocr", description = "Text lines, boxes and confidences from an image"),
        (name = "speech", description = "Voice input and OpenAI-compatible transcription"),
        (name = "auth", description = "Single-use login tickets (SSO between apps)"),
        (name = "operations", description = "Health, readiness, metrics and diagnostics"),
    )
)]
pub struct ApiDoc;
