//! Analytics events, time buckets and the summary view.
//!
//! Event types become keys of rollup documents (`counts.<type>`), so they are
//! restricted to a key-safe alphabet: no `.` or `$`, which MongoDB would read
//! as a path or an operator.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::ParseError;
use crate::ids::is_key_safe;

/// The most events one `POST /v1/analytics/events` may carry.
pub const MAX_BATCH: usize = 1000;
/// The most bytes the serialized `attrs` of one event may take.
pub const MAX_ATTRS_BYTES: usize = 8 * 1024;

/// An event as a client sends it, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawEvent {
    /// The client's id for the event: the same id is counted once.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128, pattern = r"^[^\x00-\x1F\x7F-\x9F]+$"))]
    pub event_id: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_.:-]{1,128}$"))]
    pub conference_id: String,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_-]{1,64}$"))]
    pub event_type: String,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub ts: String,
    /// Free-form attributes, at most 8 KiB as JSON.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attrs: serde_json::Value,
}

/// A validated event; this is what jobs carry and stores persist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    pub conference_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub ts: DateTime<Utc>,
    #[serde(default)]
    pub attrs: serde_json::Value,
}

impl RawEvent {
    pub fn validate(self) -> Result<Event, ParseError> {
        if self.event_id.is_empty()
            || self.event_id.chars().count() > 128
            || self.event_id.chars().any(char::is_control)
        {
            return Err(ParseError::new("event_id", "1-128 printable characters"));
        }
        if !is_key_safe(&self.conference_id, 128, true) {
            return Err(ParseError::new("conference_id", "1-128 characters of A-Z a-z 0-9 _ - . :"));
        }
        if !is_key_safe(&self.event_type, 64, false) {
            return Err(ParseError::new("type", "1-64 characters of A-Z a-z 0-9 _ -"));
        }
        let ts = DateTime::parse_from_rfc3339(&self.ts)
            .map_err(|_| ParseError::new("ts", "not an RFC 3339 timestamp"))?
            .with_timezone(&Utc);
        let attrs = match self.attrs {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            v @ serde_json::Value::Object(_) => v,
            _ => return Err(ParseError::new("attrs", "must be an object")),
        };
        if serde_json::to_vec(&attrs).map(|v| v.len()).unwrap_or(usize::MAX) > MAX_ATTRS_BYTES {
            return Err(ParseError::new("attrs", "larger than 8 KiB"));
        }
        Ok(Event { event_id: self.event_id, conference_id: self.conference_id, event_type: self.event_type, ts, attrs })
    }
}

/// Rollup granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Minute,
    Hour,
    Day,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [Granularity::Minute, Granularity::Hour, Granularity::Day];

    pub const fn as_str(self) -> &'static str {
        match self {
            Granularity::Minute => "minute",
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }

    pub fn width(self) -> TimeDelta {
        match self {
            Granularity::Minute => TimeDelta::minutes(1),
            Granularity::Hour => TimeDelta::hours(1),
            Granularity::Day => TimeDelta::days(1),
        }
    }

    /// The finer granularity whose buckets add up to this one, if any.
    pub const fn finer(self) -> Option<Granularity> {
        match self {
            Granularity::Minute => None,
            Granularity::Hour => Some(Granularity::Minute),
            Granularity::Day => Some(Granularity::Hour),
        }
    }

    /// The start of the UTC bucket that holds `ts`.
    pub fn bucket_start(self, ts: DateTime<Utc>) -> DateTime<Utc> {
        // Truncation by a whole minute/hour/day cannot overflow for any
        // representable timestamp; fall back to `ts` rather than panic.
        ts.duration_trunc(self.width()).unwrap_or(ts)
    }
}

impl FromStr for Granularity {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Granularity::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or(ParseError::new("granularity", "expected minute, hour or day"))
    }
}

/// Counts per event type.
pub type Counts = BTreeMap<String, u64>;

/// One bucket of a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub counts: Counts,
}

/// `GET /v1/analytics/summary` (SPEC §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub conference_id: String,
    pub granularity: Granularity,
    pub totals: Counts,
    pub buckets: Vec<Bucket>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(ts: &str, ty: &str) -> RawEvent {
        RawEvent {
            event_id: "e1".into(),
            conference_id: "conf-1".into(),
            event_type: ty.into(),
            ts: ts.into(),
            attrs: serde_json::Value::Null,
        }
    }

    #[test]
    fn events_validate_timestamps_and_key_safe_types() {
        let ev = raw("2026-11-27T10:15:30+08:00", "page_view").validate();
        assert_eq!(ev.map(|e| e.ts.to_rfc3339()).ok(), Some("2026-11-27T02:15:30+00:00".to_string()));
        assert!(raw("yesterday", "page_view").validate().is_err());
        assert!(raw("2026-11-27T10:15:30Z", "a.b").validate().is_err());
        assert!(raw("2026-11-27T10:15:30Z", "$inc").validate().is_err());
    }

    #[test]
    fn buckets_truncate_in_utc() {
        let ts = DateTime::parse_from_rfc3339("2026-11-27T10:15:30Z").map(|t| t.with_timezone(&Utc));
        let ts = ts.unwrap_or_default();
        assert_eq!(Granularity::Minute.bucket_start(ts).to_rfc3339(), "2026-11-27T10:15:00+00:00");
        assert_eq!(Granularity::Hour.bucket_start(ts).to_rfc3339(), "2026-11-27T10:00:00+00:00");
        assert_eq!(Granularity::Day.bucket_start(ts).to_rfc3339(), "2026-11-27T00:00:00+00:00");
    }
}
