//! Roles and token claims. Verification lives at the HTTP edge; this module
//! only names what a verified token carries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Roles, in increasing power. `super_admin` may read across tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Attendee,
    Organizer,
    Admin,
    SuperAdmin,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Attendee => "attendee",
            Role::Organizer => "organizer",
            Role::Admin => "admin",
            Role::SuperAdmin => "super_admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "attendee" => Ok(Role::Attendee),
            "organizer" => Ok(Role::Organizer),
            "admin" => Ok(Role::Admin),
            "super_admin" => Ok(Role::SuperAdmin),
            _ => Err(ParseError::new("role", "expected attendee, organizer, admin or super_admin")),
        }
    }
}

/// JWT claims. Unknown roles in a token fail verification rather than being
/// silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub tenant_id: String,
    pub roles: Vec<Role>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not valid before (seconds since the epoch); honoured when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer; checked when the server is configured with `jwt_issuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience; checked when the server is configured with `jwt_audience`.
    /// A string or a list of strings, as RFC 7519 allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
}
