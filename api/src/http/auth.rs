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
    issuer: Option<String>,
    audience: Option<String>,
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

/// Tokens longer than this are refused before any parsing: a real JWT with
/// a handful of claims is a few hundred bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Who issues and who may accept tokens, when configured (`jwt_issuer`,
/// `jwt_audience`): tokens from an identity provider must then carry them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenScope {
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

fn validation(alg: Algorithm, scope: &TokenScope) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = 30;
    v.validate_nbf = true;
    let mut required = vec!["exp", "sub"];
    match &scope.issuer {
        Some(iss) => {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        None => v.iss = None,
    }
    match &scope.audience {
        Some(aud) => {
            v.set_audience(&[aud]);
            required.push("aud");
        }
        None => v.validate_aud = false,
    }
    v.set_required_spec_claims(&required);
    v
}

impl JwtKeys {
    pub fn hs256(secret: &str) -> Self {
        Self::hs256_scoped(secret, TokenScope::default())
    }

    pub fn hs256_scoped(secret: &str, scope: TokenScope) -> Self {
        Self {
            encoding: Some(EncodingKey::from_secret(secret.as_bytes())),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation: validation(Algorithm::HS256, &scope),
            issuer: scope.issuer,
            audience: scope.audience,
        }
    }

    pub fn rs256(public_pem: &str, scope: TokenScope) -> Result<Self, KeyError> {
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes()).map_err(KeyError::BadPublicKey)?;
        Ok(Self {
            encoding: None,
            decoding,
            validation: validation(Algorithm::RS256, &scope),
            issuer: scope.issuer,
            audience: scope.audience,
        })
    }

    /// Whether this server can sign tokens (HS256) or only verify (RS256).
    pub fn can_mint(&self) -> bool {
        self.encoding.is_some()
    }

    pub fn mint(&self, tenant: &TenantId, sub: &str, roles: Vec<Role>, ttl: Duration) -> Result<String, KeyError> {
        let now = chrono::Utc::now().timestamp();
        self.mint_until(tenant, sub, roles, now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2)))
    }

    /// Mints a token that expires at `exp` (seconds since the epoch).
    pub fn mint_until(&self, tenant: &TenantId, sub: &str, roles: Vec<Role>, exp: i64) -> Result<String, KeyError> {
        let key = self.encoding.as_ref().ok_or(KeyError::CannotMint)?;
        let claims = Claims {
            sub: sub.to_string(),
            tenant_id: tenant.to_string(),
            roles,
            exp,
            iat: Some(chrono::Utc::now().timestamp()),
            nbf: None,
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(serde_json::Value::String),
        };
        encode(&Header::new(Algorithm::HS256), &claims, key).map_err(KeyError::Sign)
    }

    pub fn verify(&self, token: &str) -> Result<AuthUser, ApiError> {
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::InvalidToken);
        }
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "token rejected");
            ApiError::InvalidToken
        })?;
        let tenant = TenantId::parse(data.claims.tenant_id).map_err(|_| ApiError::InvalidToken)?;
        if data.claims.sub.is_empty() || data.claims.sub.len() > 256 || data.claims.roles.is_empty() {
            return Err(ApiError::InvalidToken);
        }
        Ok(AuthUser { sub: data.claims.sub, tenant, roles: data.claims.roles, exp: data.claims.exp })
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub sub: String,
    pub tenant: TenantId,
    pub roles: Vec<Role>,
    /// When the token expires (seconds since the epoch): tickets and
    /// sockets never outlive it.
    pub exp: i64,
}

impl AuthUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| *r >= role)
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.has(role) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// Whether the caller sees only what it created (attendees), rather
    /// than its whole tenant (organizers and above).
    pub fn own_only(&self) -> bool {
        !self.has(Role::Organizer)
    }

    /// The creator filter for reads: `Some(sub)` for attendees.
    pub fn owner_filter(&self) -> Option<&str> {
        self.own_only().then_some(self.sub.as_str())
    }

    /// Whether the caller may see a record of `tenant` created by `creator`.
    pub fn can_see(&self, tenant: &TenantId, creator: &str) -> bool {
        if self.has(Role::SuperAdmin) {
            return true;
        }
        &self.tenant == tenant && (!self.own_only() || creator == self.sub)
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
