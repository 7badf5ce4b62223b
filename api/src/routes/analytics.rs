//! `/v1/analytics`: ingest event batches, read rollup summaries.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, TimeDelta, Utc};
use meeteasy_jobs::kinds::IngestAnalytics;
use meeteasy_models::JobView;
use meeteasy_models::analytics::{Counts, Granularity, MAX_BATCH, RawEvent, Summary};
use meeteasy_models::auth::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::{Json, Query};
use crate::http::idempotency;
use crate::http::idempotency::IdempotencyHeader;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct EventBatch {
    #[schema(min_items = 1, max_items = 1000)]
    pub events: Vec<RawEvent>,
    /// Ignored unless it differs from the token's tenant (then rejected).
    pub tenant_id: Option<String>,
}

/// Accepts 1–1000 events and queues their ingestion. Events already stored
/// for this tenant (same `event_id`) are counted once.
#[utoipa::path(post, path = "/v1/analytics/events", tag = "analytics", request_body = EventBatch,
    params(IdempotencyHeader),
    responses((status = 202, body = JobView), (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn ingest(
    State(st): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(batch): Json<EventBatch>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    user.check_tenant(batch.tenant_id.as_deref())?;
    if batch.events.is_empty() || batch.events.len() > MAX_BATCH {
        return Err(ApiError::Invalid {
            code: "analytics.batch_too_large",
            field: "events".into(),
            detail: String::new(),
        });
    }
    let mut events = Vec::with_capacity(batch.events.len());
    for (i, raw) in batch.events.into_iter().enumerate() {
        let ev = raw.validate().map_err(|e| ApiError::Invalid {
            code: "analytics.invalid_event",
            field: format!("events[{i}].{}", e.field),
            detail: e.reason.to_string(),
        })?;
        events.push(ev);
    }
    let job = IngestAnalytics { events };
    let key = idempotency::scoped_json(&user, "analytics", idempotency::from_headers(&headers)?, &job)?;
    let job = st.jobs.enqueue(&user.tenant, &user.sub, job, key).await?;
    Ok((StatusCode::ACCEPTED, Json(job.view())))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SummaryQuery {
    #[param(pattern = r"^[A-Za-z0-9_.:-]{1,128}$")]
    pub conference_id: String,
    /// RFC 3339; default: `to` minus 7 days. Must be before `to`.
    #[param(format = DateTime, nullable = false)]
    pub from: Option<String>,
    /// RFC 3339, exclusive; default: now.
    #[param(format = DateTime, nullable = false)]
    pub to: Option<String>,
    /// `minute`, `hour` (default) or `day`.
    #[param(value_type = Option<Granularity>, nullable = false)]
    pub granularity: Option<String>,
    /// Ignored unless it differs from the token's tenant (then rejected).
    #[param(nullable = false)]
    pub tenant_id: Option<String>,
}

fn parse_time(field: &'static str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| ApiError::invalid(field, "must be an RFC 3339 timestamp"))
    })
    .transpose()
}

/// Counts per event type and bucket. A bucket is included when it overlaps
/// `[from, to)`; `totals` add up the returned buckets.
#[utoipa::path(get, path = "/v1/analytics/summary", tag = "analytics", params(SummaryQuery),
    responses((status = 200, body = Summary), (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn summary(
    State(st): State<AppState>,
    user: AuthUser,
    Query(q): Query<SummaryQuery>,
) -> Result<Json<Summary>, ApiError> {
    user.require(Role::Organizer)?;
    user.check_tenant(q.tenant_id.as_deref())?;
    if !meeteasy_models::ids::is_key_safe(&q.conference_id, 128, true) {
        return Err(ApiError::invalid("conference_id", "1-128 characters of A-Z a-z 0-9 _ - . :"));
    }
    let granularity = q.granularity.as_deref().map(str::parse::<Granularity>).transpose()?.unwrap_or(Granularity::Hour);
    let to = parse_time("to", q.to.as_deref())?.unwrap_or_else(Utc::now);
    let from = parse_time("from", q.from.as_deref())?.unwrap_or(to - TimeDelta::days(7));
    if from >= to {
        return Err(ApiError::invalid("from", "must be before to"));
    }
    let buckets =
        st.jobs.store.rollups(&user.tenant, &q.conference_id, granularity, granularity.bucket_start(from), to).await?;
    let mut totals = Counts::new();
    for b in &buckets {
        for (k, v) in &b.counts {
            *totals.entry(k.clone()).or_default() += v;
        }
    }
    Ok(Json(Summary { conference_id: q.conference_id, granularity, totals, buckets }))
}
