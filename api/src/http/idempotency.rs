//! The `Idempotency-Key` header: the same key from the same tenant returns
//! the same job. Keys are opaque to us; we only bound their shape.

use axum::http::HeaderMap;

use super::error::ApiError;

pub const HEADER: &str = "idempotency-key";

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
