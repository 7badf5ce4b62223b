//! `/v1/auth/tickets`: issue and exchange single-use login tickets.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use meeteasy_models::TenantId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::state::AppState;
use crate::tickets::TicketClaims;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TicketView {
    pub ticket: String,
    /// Seconds until the ticket expires.
    pub expires_in: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ExchangeRequest {
    pub ticket: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccessTokenView {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

/// Issues a single-use ticket for the caller's identity. The ticket lives
/// `auth.ticket_ttl_secs`, and never past the caller's token.
#[utoipa::path(post, path = "/v1/auth/tickets", tag = "auth",
    responses((status = 201, body = TicketView), (status = 401, body = crate::openapi::ErrorBody),
        (status = 503, body = crate::openapi::ErrorBody, description = "RS256 mode: this server cannot mint tokens")),
    security(("bearer" = [])))]
pub async fn issue(State(st): State<AppState>, user: AuthUser) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    // With only a public key this server could not mint the token the
    // ticket promises: say so now, before a ticket is used up.
    if !st.keys.can_mint() {
        return Err(ApiError::NotConfigured("auth.tickets_not_configured"));
    }
    let left = u64::try_from(user.exp.saturating_sub(chrono::Utc::now().timestamp())).unwrap_or(0);
    let ttl = st.settings.auth.ticket_ttl_secs.max(1).min(left.max(1));
    let claims = TicketClaims { sub: user.sub, tenant_id: user.tenant.to_string(), roles: user.roles, exp: user.exp };
    let ticket =
        st.tickets.issue(&claims, Duration::from_secs(ttl)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(TicketView { ticket, expires_in: ttl })))
}

/// Exchanges a ticket for an access token, once. No bearer token needed:
/// the ticket is the credential. The token expires after
/// `auth.access_token_ttl_secs`, or with the token that asked for the
/// ticket, whichever comes first.
#[utoipa::path(post, path = "/v1/auth/tickets/exchange", tag = "auth", request_body = ExchangeRequest,
    responses((status = 200, body = AccessTokenView), (status = 401, body = crate::openapi::ErrorBody),
        (status = 503, body = crate::openapi::ErrorBody, description = "RS256 mode: this server cannot mint tokens")),
    )]
pub async fn exchange(
    State(st): State<AppState>,
    Json(req): Json<ExchangeRequest>,
) -> Result<Json<AccessTokenView>, ApiError> {
    if !st.keys.can_mint() {
        return Err(ApiError::NotConfigured("auth.tickets_not_configured"));
    }
    let claims = st.tickets.redeem(req.ticket.trim()).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let claims = claims.ok_or(ApiError::InvalidTicket)?;
    let tenant = TenantId::parse(claims.tenant_id).map_err(|_| ApiError::InvalidTicket)?;
    let now = chrono::Utc::now().timestamp();
    let ttl = i64::try_from(st.settings.auth.access_token_ttl_secs.max(1)).unwrap_or(i64::MAX / 2);
    let exp = now.saturating_add(ttl).min(claims.exp);
    if exp <= now {
        return Err(ApiError::InvalidTicket);
    }
    let access_token =
        st.keys.mint_until(&tenant, &claims.sub, claims.roles, exp).map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_in = u64::try_from(exp - now).unwrap_or(0);
    Ok(Json(AccessTokenView { access_token, token_type: "Bearer".into(), expires_in }))
}
