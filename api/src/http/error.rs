//! The one error type of the HTTP edge.
//!
//! Every failure leaves as `{"error":{"code","message_key","message"}}` with a
//! stable `code`, a `message_key` for client-side translation and a message
//! localized from `Accept-Language`. Internal causes (driver errors, paths,
//! queue failures) are logged with the request's span and replaced by the
//! generic `internal` code: nothing internal is ever echoed to a client.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use meeteasy_jobs::EnqueueError;
use meeteasy_jobs::store::StoreError;
use meeteasy_models::ParseError;
use serde::Serialize;

use super::i18n;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing bearer token")]
    MissingToken,
    #[error("invalid token")]
    InvalidToken,
    #[error("invalid ticket")]
    InvalidTicket,
    #[error("forbidden")]
    Forbidden,
    #[error("tenant mismatch")]
    TenantMismatch,
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("invalid {field}: {detail}")]
    Invalid { code: &'static str, field: String, detail: String },
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("body too large")]
    TooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// An upload whose content is of no supported type (415, specific code).
    #[error("unsupported upload: {0}")]
    Unsupported(&'static str),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("malformed json: {0}")]
    MalformedJson(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("not configured: {0}")]
    NotConfigured(&'static str),
    /// A synchronous request whose job failed on bad input.
    #[error("job failed: {0}")]
    JobFailed(&'static str),
    #[error("timed out: {0}")]
    Timeout(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Invalid { code: "request.invalid", field: field.into(), detail: detail.into() }
    }

    /// Maps a job's error code to a stable API code (unknown codes become
    /// the generic `transcription.failed`).
    pub fn job_failed(code: &str) -> Self {
        const KNOWN: [&str; 8] = [
            "audio.unsupported_format",
            "audio.corrupt",
            "audio.empty",
            "audio.too_long",
            "audio.invalid_params",
            "audio.missing",
            "asr.invalid_options",
            "job.timeout",
        ];
        ApiError::JobFailed(KNOWN.into_iter().find(|k| *k == code).unwrap_or("transcription.failed"))
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingToken => "auth.missing_token",
            ApiError::InvalidToken => "auth.invalid_token",
            ApiError::InvalidTicket => "auth.invalid_ticket",
            ApiError::Forbidden => "auth.forbidden",
            ApiError::TenantMismatch => "auth.tenant_mismatch",
            ApiError::NotFound(code)
            | ApiError::Conflict(code)
            | ApiError::NotConfigured(code)
            | ApiError::JobFailed(code)
            | ApiError::Timeout(code)
            | ApiError::Unsupported(code) => code,
            ApiError::Invalid { code, .. } => code,
            ApiError::TooLarge => "request.too_large",
            ApiError::UnsupportedMediaType => "request.unsupported_media_type",
            ApiError::RateLimited { .. } => "request.rate_limited",
            ApiError::MalformedJson(_) => "request.malformed_json",
            ApiError::Unavailable(_) => "service.unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingToken | ApiError::InvalidToken | ApiError::InvalidTicket => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::TenantMismatch => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid { .. } | ApiError::MalformedJson(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::JobFailed(_) => StatusCode::BAD_REQUEST,
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType | ApiError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::NotConfigured(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message_key: String,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::Internal(cause) | ApiError::Unavailable(cause) => {
                tracing::error!(%cause, code = self.code(), "request failed")
            }
            _ => tracing::debug!(error = %self, "request rejected"),
        }
        let code = self.code();
        let (field, detail) = match &self {
            ApiError::Invalid { field, detail, .. } => (field.as_str(), detail.as_str()),
            _ => ("", ""),
        };
        let body = Body {
            error: Inner {
                code,
                message_key: format!("errors.{code}"),
                message: i18n::message(code, i18n::current(), field, detail),
            },
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // A store that does not answer in time is an outage, not a bug.
            StoreError::Timeout { .. } => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<EnqueueError> for ApiError {
    fn from(e: EnqueueError) -> Self {
        match e {
            EnqueueError::IdempotencyConflict => ApiError::Invalid {
                code: "idempotency.conflict",
                field: "Idempotency-Key".into(),
                detail: "was used with a different request".into(),
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        ApiError::invalid(e.field, e.reason)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            other => ApiError::MalformedJson(other.body_text()),
        }
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    fn from(r: axum::extract::multipart::MultipartRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE { ApiError::TooLarge } else { ApiError::UnsupportedMediaType }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::invalid("query", r.body_text())
    }
}
