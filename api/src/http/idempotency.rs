//! The `Idempotency-Key` header: the same key from the same creator at the
//! same endpoint returns the same job; the same key with a different request
//! answers `422 idempotency.conflict` (as Stripe does).
//!
//! Keys are opaque to us; we bound their shape here, and
//! `meeteasy_jobs::idempotency` scopes them (tenant, creator, endpoint) into
//! a namespace that platform keys can never share.

use axum::http::HeaderMap;
use meeteasy_jobs::IdemKey;
use serde::Serialize;
use utoipa::IntoParams;

use super::auth::AuthUser;
use super::error::ApiError;

pub const HEADER: &str = "idempotency-key";

/// The header as the OpenAPI document shows it on every operation that
/// creates a job (documentation only; `from_headers` reads it).
#[allow(dead_code)]
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Same key, creator and endpoint: the same job; with a different
    /// request: 422 `idempotency.conflict`.
    #[param(rename = "Idempotency-Key", pattern = r"^[!-~]{1,255}$", nullable = false)]
    pub idempotency_key: Option<String>,
}

/// Reads and validates the header: 1–255 visible ASCII characters.
pub fn from_headers(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = v.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?;
    validate(key).map(Some)
}

pub fn validate(key: &str) -> Result<String, ApiError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid("Idempotency-Key", "must be 1-255 visible ASCII characters"));
    }
    Ok(key.to_string())
}

/// Scopes a client key to the caller and `endpoint`, with a fingerprint of
/// the request (`parts`, e.g. the uploaded file's digest and the options).
pub fn scoped<'a>(
    user: &AuthUser,
    endpoint: &str,
    key: Option<String>,
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> Option<IdemKey> {
    key.map(|k| IdemKey::client(endpoint, &user.sub, &k, meeteasy_jobs::idempotency::fingerprint(parts)))
}

/// Scopes a client key for a JSON request: the fingerprint is the request's
/// canonical JSON (object keys sorted), so formatting does not matter.
pub fn scoped_json<T: Serialize>(
    user: &AuthUser,
    endpoint: &str,
    key: Option<String>,
    request: &T,
) -> Result<Option<IdemKey>, ApiError> {
    if key.is_none() {
        return Ok(None);
    }
    let canonical = serde_json::to_value(request).map_err(|e| ApiError::Internal(e.to_string()))?.to_string();
    Ok(scoped(user, endpoint, key, [canonical.as_bytes()]))
}
