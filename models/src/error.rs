//! The one error type for values that fail domain parsing.

/// Why a raw value could not become a domain value.
///
/// The `field` names the offending input so the HTTP edge can point at it
/// without echoing the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct ParseError {
    pub field: &'static str,
    pub reason: &'static str,
}

impl ParseError {
    pub const fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}
