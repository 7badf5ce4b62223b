//! `/v1/webhooks` (admin): register, list and delete webhook endpoints.
//!
//! Targets are checked at registration (scheme, and resolution to a public
//! address unless the operator allow-lists it) and again at every delivery.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use meeteasy_jobs::notify::egress::EgressError;
use meeteasy_jobs::store::Webhook;
use meeteasy_models::auth::Role;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::state::AppState;

pub const EVENTS: [&str; 2] = ["job.completed", "job.failed"];

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// An http(s) URL of a public host.
    #[schema(pattern = "^https?://", max_length = 2048)]
    pub url: String,
    /// Subset of `job.completed`, `job.failed`; empty or absent means all.
    #[serde(default)]
    #[schema(inline, value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
}

/// The job events a webhook can receive.
#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub enum WebhookEvent {
    #[schema(rename = "job.completed")]
    Completed,
    #[schema(rename = "job.failed")]
    Failed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Only in the response to the registration: the HMAC key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
}

fn view(h: Webhook, with_secret: bool) -> WebhookView {
    WebhookView {
        id: h.id,
        url: h.url,
        events: h.events,
        created_at: h.created_at,
        secret: with_secret.then_some(h.secret),
    }
}

fn target_error(e: EgressError) -> ApiError {
    let code = match e {
        EgressError::Forbidden => "webhook.forbidden_target",
        EgressError::Scheme | EgressError::Invalid | EgressError::Unresolvable => "webhook.invalid_url",
    };
    ApiError::Invalid { code, field: "url".into(), detail: e.to_string() }
}

#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses((status = 201, body = WebhookView), (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateWebhook>,
) -> Result<(StatusCode, Json<WebhookView>), ApiError> {
    user.require(Role::Admin)?;
    if req.url.len() > 2048 {
        return Err(ApiError::Invalid { code: "webhook.invalid_url", field: "url".into(), detail: "too long".into() });
    }
    if let Some(bad) = req.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ApiError::invalid("events", format!("unknown event {bad:?}")));
    }
    let egress = &st.services.egress;
    let url = egress.parse(&req.url).map_err(target_error)?;
    egress.resolve(&url).await.map_err(target_error)?;
    let secret_bytes: [u8; 32] = rand::rng().random();
    let hook = Webhook {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: user.tenant.clone(),
        url: url.to_string(),
        secret: format!("whsec_{}", secret_bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        events: req.events,
        created_at: meeteasy_jobs::store::now(),
    };
    st.jobs.store.create_webhook(&hook).await?;
    Ok((StatusCode::CREATED, Json(view(hook, true))))
}

#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookList)), security(("bearer" = [])))]
pub async fn list(State(st): State<AppState>, user: AuthUser) -> Result<Json<WebhookList>, ApiError> {
    user.require(Role::Admin)?;
    let hooks = st.jobs.store.list_webhooks(&user.tenant).await?;
    Ok(Json(WebhookList { items: hooks.into_iter().map(|h| view(h, false)).collect() }))
}

#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn delete(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    user.require(Role::Admin)?;
    if st.jobs.store.delete_webhook(&user.tenant, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("webhook.not_found"))
    }
}
