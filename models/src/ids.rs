//! Identifier newtypes.
//!
//! A `TenantId` only ever comes from a verified token, never from a request
//! body; parsing it still checks its shape because it ends up in database keys,
//! Redis keys and Socket.IO room names.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ParseError;

/// Checks `s` against the shared "key-safe token" alphabet: ASCII letters,
/// digits, `_`, `-`, and `.`/`:` when `allow_punct`, 1..=`max` bytes.
pub fn is_key_safe(s: &str, max: usize, allow_punct: bool) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (allow_punct && (b == b'.' || b == b':')))
}

/// The tenant that owns a job, a document or an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: impl Into<String>) -> Result<Self, ParseError> {
        let raw = raw.into();
        if is_key_safe(&raw, Self::MAX_LEN, true) {
            Ok(Self(raw))
        } else {
            Err(ParseError::new("tenant_id", "1-64 characters of A-Z a-z 0-9 _ - . :"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A job id: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(Uuid);

impl JobId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the textual form; anything else (including other UUID versions
    /// in non-canonical spellings) is rejected so a guessed id is just "not found".
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Uuid::try_parse(raw).map(Self).map_err(|_| ParseError::new("job_id", "not a UUID"))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_reject_key_breaking_characters() {
        assert!(TenantId::parse("acme-events_1").is_ok());
        for bad in ["", "a b", "a/b", "a{b}", "é", &"x".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn job_ids_round_trip_and_reject_garbage() {
        let id = JobId::new();
        assert_eq!(JobId::parse(&id.to_string()), Ok(id));
        assert!(JobId::parse("../../etc/passwd").is_err());
    }
}
