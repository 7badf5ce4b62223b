//! A deadline on every request, so that nothing the API waits on can hold a
//! connection forever.
//!
//! Three budgets: ordinary requests get `limits.request_timeout_secs`;
//! uploads get `limits.upload_timeout_secs`, since a large file on a slow
//! link takes a while to arrive; the long polls (`?wait` on transcriptions,
//! the OpenAI-compatible endpoint) get their own wait cap plus the ordinary
//! budget. A request past its deadline answers `504 request.timeout`.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Runs the rest of the request under `limit`.
pub async fn middleware(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            ApiError::Timeout("request.timeout").into_response()
        }
    }
}
