//! `/v1/notifications/email` and `/v1/notifications/sms`: validate, then
//! queue a `send_email` / `send_sms` job.
//!
//! Validation renders the template once, so a missing variable or an
//! unknown template is a `422` now rather than a dead job later.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use meeteasy_jobs::kinds::{SendEmail, SendSms};
use meeteasy_jobs::notify::{is_valid_email, is_valid_phone};
use meeteasy_models::JobView;
use meeteasy_models::auth::Role;
use meeteasy_pipelines::notify::{Locale, TemplateError};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::idempotency;
use crate::http::idempotency::IdempotencyHeader;
use crate::state::AppState;

/// At most this many recipients per request.
pub const MAX_RECIPIENTS: usize = 100;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NotificationRequest {
    /// 1–100 email addresses (email) or E.164 numbers (SMS).
    #[schema(min_items = 1, max_items = 100)]
    pub to: Vec<String>,
    /// `welcome`, `session_reminder`, or an operator-provided template.
    #[schema(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub template: String,
    /// `en` (default) or `zh-CN`.
    #[serde(default = "default_locale")]
    #[schema(pattern = r"^(en|zh-CN)$")]
    pub locale: String,
    /// Template variables, e.g. `name`, `session_title`, `starts_at`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub vars: serde_json::Value,
    /// Same as the `Idempotency-Key` header.
    #[schema(pattern = r"^[!-~]{1,255}$")]
    pub idempotency_key: Option<String>,
    /// Ignored unless it differs from the token's tenant (then rejected).
    pub tenant_id: Option<String>,
}

fn default_locale() -> String {
    "en".into()
}

struct Checked {
    locale: Locale,
    key: Option<String>,
}

fn check_common(user: &AuthUser, headers: &HeaderMap, req: &NotificationRequest) -> Result<Checked, ApiError> {
    user.require(Role::Organizer)?;
    user.check_tenant(req.tenant_id.as_deref())?;
    if req.to.is_empty() || req.to.len() > MAX_RECIPIENTS {
        return Err(ApiError::invalid("to", "1-100 recipients"));
    }
    if !(req.vars.is_object() || req.vars.is_null()) {
        return Err(ApiError::invalid("vars", "must be an object"));
    }
    let locale = Locale::parse(&req.locale).ok_or_else(|| ApiError::invalid("locale", "must be en or zh-CN"))?;
    let header_key = idempotency::from_headers(headers)?;
    let body_key = req.idempotency_key.as_deref().map(idempotency::validate).transpose()?;
    let key = match (header_key, body_key) {
        (Some(h), Some(b)) if h != b => {
            return Err(ApiError::invalid("idempotency_key", "differs from the Idempotency-Key header"));
        }
        (h, b) => h.or(b),
    };
    Ok(Checked { locale, key })
}

fn template_error(e: TemplateError) -> ApiError {
    match e {
        TemplateError::Unknown { .. } => {
            ApiError::Invalid { code: "notification.unknown_template", field: "template".into(), detail: e.to_string() }
        }
        TemplateError::Render { detail, .. } => {
            ApiError::Invalid { code: "notification.template_error", field: "vars".into(), detail }
        }
        TemplateError::Folder(d) => ApiError::Internal(d),
    }
}

#[utoipa::path(post, path = "/v1/notifications/email", tag = "notifications", request_body = NotificationRequest,
    params(IdempotencyHeader),
    responses((status = 202, body = JobView), (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn email(
    State(st): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(req): Json<NotificationRequest>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let c = check_common(&user, &headers, &req)?;
    if let Some(bad) = req.to.iter().position(|t| !is_valid_email(t)) {
        return Err(ApiError::invalid(format!("to[{bad}]"), "is not an email address"));
    }
    st.services.templates.render_email(&req.template, c.locale, &req.vars).map_err(template_error)?;
    let job = SendEmail { to: req.to, template: req.template, locale: c.locale.as_str().into(), vars: req.vars };
    let key = idempotency::scoped_json(&user, "notifications.email", c.key, &job)?;
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, job, key).await?;
    Ok((StatusCode::ACCEPTED, Json(rec.view())))
}

#[utoipa::path(post, path = "/v1/notifications/sms", tag = "notifications", request_body = NotificationRequest,
    params(IdempotencyHeader),
    responses((status = 202, body = JobView), (status = 422, body = crate::openapi::ErrorBody), (status = 503, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn sms(
    State(st): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Json(req): Json<NotificationRequest>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let c = check_common(&user, &headers, &req)?;
    if st.services.sms.is_none() {
        return Err(ApiError::NotConfigured("sms.not_configured"));
    }
    if let Some(bad) = req.to.iter().position(|t| !is_valid_phone(t)) {
        return Err(ApiError::invalid(format!("to[{bad}]"), "is not an E.164 phone number"));
    }
    st.services.templates.render_sms(&req.template, c.locale, &req.vars).map_err(template_error)?;
    let job = SendSms { to: req.to, template: req.template, locale: c.locale.as_str().into(), vars: req.vars };
    let key = idempotency::scoped_json(&user, "notifications.sms", c.key, &job)?;
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, job, key).await?;
    Ok((StatusCode::ACCEPTED, Json(rec.view())))
}
