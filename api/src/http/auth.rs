//! Bearer-token authentication and the `AuthUser` extractor.
//!
//! The tenant of a request comes *only* from a verified token. Handlers that
//! accept a `tenant_id` in a body or query compare it with the token's and
//! reject a mismatch; they never use it to choose data.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use meeteasy_models::TenantId;
use meeteasy_models::auth::{Claims, Role};

use super::error::ApiError;
use crate::state::AppState;

/// Signing and verification keys. HS256 with a shared secret by default;
/// RS256 when a public key is configured (tokens are then minted elsewhere).
#[derive(Clone)]
pub struct JwtKeys {
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys").field("algorithms", &self.validation.algorithms).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the RS256 public key is not valid PEM: {0}")]
    BadPublicKey(jsonwebtoken::errors::Error),
    #[error("this server verifies RS256 tokens and cannot mint them")]
    CannotMint,
    #[error("could not sign the token: {0}")]
    Sign(jsonwebtoken::errors::Error),
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = 30;
    v.set_required_spec_claims(&["exp", "sub"]);
    v
}

impl JwtKeys {
    pub fn hs256(secret: &str) -> Self {
        Self {
            encoding: Some(EncodingKey::from_secret(secret.as_bytes())),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation: validation(Algorithm::HS256),
        }
    }

    pub fn rs256(public_pem: &str) -> Result<Self, KeyError> {
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes()).map_err(KeyError::BadPublicKey)?;
        Ok(Self { encoding: None, decoding, validation: validation(Algorithm::RS256) })
    }

    pub fn mint(&self, tenant: &TenantId, sub: &str, roles: Vec<Role>, ttl: Duration) -> Result<String, KeyError> {
        let key = self.encoding.as_ref().ok_or(KeyError::CannotMint)?;
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_string(),
            tenant_id: tenant.to_string(),
            roles,
            exp: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
            iat: Some(now),
        };
        encode(&Header::new(Algorithm::HS256), &claims, key).map_err(KeyError::Sign)
    }

    pub fn verify(&self, token: &str) -> Result<AuthUser, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "token rejected");
            ApiError::InvalidToken
        })?;
        let tenant = TenantId::parse(data.claims.tenant_id).map_err(|_| ApiError::InvalidToken)?;
        if data.claims.sub.is_empty() {
            return Err(ApiError::InvalidToken);
        }
        Ok(AuthUser { sub: data.claims.sub, tenant, roles: data.claims.roles })
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub sub: String,
    pub tenant: TenantId,
    pub roles: Vec<Role>,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| *r >= role)
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.has(role) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// Rejects a client-supplied tenant that differs from the token's.
    pub fn check_tenant(&self, claimed: Option<&str>) -> Result<(), ApiError> {
        match claimed {
            Some(t) if t != self.tenant.as_str() => Err(ApiError::TenantMismatch),
            _ => Ok(()),
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or(ApiError::MissingToken)?;
        let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(ApiError::InvalidToken)?
            .trim();
        let user = state.keys.verify(token)?;
        tracing::Span::current().record("tenant_id", user.tenant.as_str());
        let limit = state.settings.limits.tenant_requests_per_minute;
        let key = format!("api:{}", user.tenant);
        if let Err(wait) = state.gate.check(&key, limit, Duration::from_secs(60)).await {
            return Err(ApiError::RateLimited {
                retry_after_secs: u64::try_from(wait.as_millis().div_ceil(1000)).unwrap_or(60).max(1),
            });
        }
        Ok(user)
    }
}
