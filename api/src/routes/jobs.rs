//! `/v1/jobs` and `/v1/queues`: read, list, cancel and retry jobs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use meeteasy_jobs::ControlOutcome;
use meeteasy_jobs::queue::QueueStats;
use meeteasy_jobs::store::JobFilter;
use meeteasy_models::auth::Role;
use meeteasy_models::page::{Page, PageRequest};
use meeteasy_models::{JobId, JobKind, JobStatus, JobView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::{Json, Query};
use crate::state::AppState;

/// Any id that does not parse is simply "not found": guessing ids reveals
/// nothing about which ones exist.
pub fn parse_job_id(raw: &str) -> Result<JobId, ApiError> {
    JobId::parse(raw).map_err(|_| ApiError::NotFound("job.not_found"))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    #[param(value_type = Option<JobStatus>, nullable = false)]
    pub status: Option<String>,
    #[param(value_type = Option<JobKind>, nullable = false)]
    pub kind: Option<String>,
    /// From 1 (0 reads as 1).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64, nullable = false)]
    pub page: Option<u32>,
    /// 1–100, default 20; other values are clamped into that range.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64, nullable = false)]
    pub page_size: Option<u32>,
    /// Ignored unless it differs from the token's tenant (then rejected).
    #[param(nullable = false)]
    pub tenant_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobPageView {
    pub items: Vec<JobView>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", params(ListQuery),
    responses((status = 200, body = JobPageView), (status = 401, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<JobView>>, ApiError> {
    user.check_tenant(q.tenant_id.as_deref())?;
    let filter = JobFilter {
        status: q.status.as_deref().map(str::parse::<JobStatus>).transpose()?,
        kind: q.kind.as_deref().map(str::parse::<JobKind>).transpose()?,
        // Attendees list their own jobs; organizers and admins the tenant's.
        created_by: user.owner_filter().map(str::to_string),
    };
    let page = PageRequest::new(q.page, q.page_size);
    let found = st.jobs.store.list_jobs(&user.tenant, &filter, page).await?;
    Ok(Json(Page {
        items: found.items.iter().map(|r| r.view()).collect(),
        total: found.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUIDv7)")),
    responses((status = 200, body = JobView), (status = 404, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let id = parse_job_id(&id)?;
    let rec = if user.has(Role::SuperAdmin) {
        st.jobs.store.get_job_any_tenant(id).await?
    } else {
        st.jobs.store.get_job(&user.tenant, id).await?
    };
    rec.filter(|r| user.can_see(&r.tenant_id, &r.created_by))
        .map(|r| Json(r.view()))
        .ok_or(ApiError::NotFound("job.not_found"))
}

fn control_result(
    outcome: ControlOutcome,
    rec: Option<meeteasy_jobs::store::JobRecord>,
    wrong_state: &'static str,
) -> Result<Json<JobView>, ApiError> {
    match (outcome, rec) {
        (ControlOutcome::Done, Some(r)) => Ok(Json(r.view())),
        (ControlOutcome::WrongState, _) => Err(ApiError::Conflict(wrong_state)),
        _ => Err(ApiError::NotFound("job.not_found")),
    }
}

#[utoipa::path(post, path = "/v1/jobs/{id}/cancel", tag = "jobs",
    params(("id" = String, Path)),
    responses((status = 200, body = JobView), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let id = parse_job_id(&id)?;
    let (outcome, rec) = st.jobs.cancel(&user.tenant, id, user.owner_filter()).await?;
    control_result(outcome, rec, "job.not_cancellable")
}

#[utoipa::path(post, path = "/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = String, Path)),
    responses((status = 202, body = JobView), (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    user.require(Role::Organizer)?;
    let id = parse_job_id(&id)?;
    let (outcome, rec) = st.jobs.retry(&user.tenant, id).await?;
    control_result(outcome, rec, "job.not_retryable").map(|j| (StatusCode::ACCEPTED, j))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    pub queue: String,
    pub kind: JobKind,
    pub pool: String,
    /// Waiting jobs: the queue's depth (`all`), or the tenant's `queued`
    /// jobs of this kind (`tenant`).
    pub depth: u64,
    /// Retries waiting for their time (`all`: the queue's schedule;
    /// `tenant`: the tenant's `failed` jobs).
    pub scheduled: u64,
    pub running: u64,
    /// Jobs of this kind waiting for a retry.
    pub failed: u64,
    /// Jobs of this kind that gave up.
    pub dead: u64,
    /// Jobs of this kind that succeeded in the last 60 seconds.
    pub throughput_per_min: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueuesView {
    pub backend: String,
    /// `all`: the deployment's queues (super admins); `tenant`: the
    /// caller's tenant's share of them (tenant admins).
    pub scope: String,
    pub queues: Vec<QueueView>,
}

/// Queues per pool and kind. A `super_admin` sees the deployment's queues;
/// a tenant `admin` sees only its own tenant's jobs in them, never other
/// tenants' counts.
#[utoipa::path(get, path = "/v1/queues", tag = "jobs",
    responses((status = 200, body = QueuesView), (status = 403, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn queues(State(st): State<AppState>, user: AuthUser) -> Result<Json<QueuesView>, ApiError> {
    user.require(Role::Admin)?;
    let all = user.has(Role::SuperAdmin);
    let tenant = (!all).then_some(&user.tenant);
    let stats = st.jobs.queues.stats().await.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let by_status = st.jobs.store.count_by_status(tenant).await?;
    let since = chrono::Utc::now() - chrono::TimeDelta::seconds(60);
    let done = st.jobs.store.count_succeeded_since(since, tenant).await?;
    let count = |kind: JobKind, status: JobStatus| {
        by_status.iter().filter(|(k, s, _)| *k == kind && *s == status).map(|(_, _, n)| n).sum()
    };
    let queues = stats
        .into_iter()
        .map(|s: QueueStats| {
            let (depth, scheduled, running) = if all {
                (s.depth, s.scheduled, s.running)
            } else {
                (count(s.kind, JobStatus::Queued), count(s.kind, JobStatus::Failed), count(s.kind, JobStatus::Running))
            };
            QueueView {
                failed: count(s.kind, JobStatus::Failed),
                dead: count(s.kind, JobStatus::Dead),
                throughput_per_min: done.iter().filter(|(k, _)| *k == s.kind).map(|(_, n)| n).sum(),
                queue: s.queue,
                kind: s.kind,
                pool: s.pool.as_str().into(),
                depth,
                scheduled,
                running,
            }
        })
        .collect();
    let scope = if all { "all" } else { "tenant" };
    Ok(Json(QueuesView { backend: st.jobs.queues.backend_name().into(), scope: scope.into(), queues }))
}
