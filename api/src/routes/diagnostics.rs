//! `/v1/diagnostics/sleep`: queue a job that sleeps (admins). Operators use
//! it to smoke-test a pool end to end; the benchmark uses it as a no-op job.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use meeteasy_jobs::kinds::Sleep;
use meeteasy_jobs::kinds::sleep::MAX_SLEEP_MS;
use meeteasy_models::JobView;
use meeteasy_models::auth::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::idempotency;
use crate::http::idempotency::IdempotencyHeader;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct SleepRequest {
    /// 0–60000 ms.
    #[serde(default)]
    #[schema(maximum = 60000)]
    pub millis: u64,
    /// `abort` or `retry` to make the job fail that way.
    #[schema(pattern = "^(abort|retry)$")]
    pub fail: Option<String>,
}

#[utoipa::path(post, path = "/v1/diagnostics/sleep", tag = "operations", request_body = SleepRequest,
    params(IdempotencyHeader),
    responses((status = 202, body = JobView), (status = 403, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn sleep(
    State(st): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(req): Json<SleepRequest>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    user.require(Role::Admin)?;
    if req.millis > MAX_SLEEP_MS {
        return Err(ApiError::invalid("millis", "must be at most 60000"));
    }
    if !matches!(req.fail.as_deref(), None | Some("abort") | Some("retry")) {
        return Err(ApiError::invalid("fail", "must be abort or retry"));
    }
    let job = Sleep { millis: req.millis, fail: req.fail };
    let key = idempotency::scoped_json(&user, "diagnostics.sleep", idempotency::from_headers(&headers)?, &job)?;
    let job = st.jobs.enqueue(&user.tenant, &user.sub, job, key).await?;
    Ok((StatusCode::ACCEPTED, Json(job.view())))
}
