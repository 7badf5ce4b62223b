//! Jobs as the outside world sees them: kind, status and the job view.
//!
//! The `JobView` is the stable surface from SPEC §8: the body of every `202`,
//! of `GET /v1/jobs/{id}` and of each list item. Fields may be added, never
//! renamed or removed.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{JobId, ParseError, Pool};

/// Every job type the platform knows, with its stable wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    IngestAnalytics,
    ConvertDocument,
    OcrImage,
    MakeSearchablePdf,
    TranscribeAudio,
    SendEmail,
    SendSms,
    DeliverWebhook,
    /// A diagnostic job that sleeps for a while: used by benchmarks, by the
    /// worker-crash tests and by operators smoke-testing a pool.
    Sleep,
}

impl JobKind {
    pub const ALL: [JobKind; 9] = [
        JobKind::IngestAnalytics,
        JobKind::ConvertDocument,
        JobKind::OcrImage,
        JobKind::MakeSearchablePdf,
        JobKind::TranscribeAudio,
        JobKind::SendEmail,
        JobKind::SendSms,
        JobKind::DeliverWebhook,
        JobKind::Sleep,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            JobKind::IngestAnalytics => "ingest_analytics",
            JobKind::ConvertDocument => "convert_document",
            JobKind::OcrImage => "ocr_image",
            JobKind::MakeSearchablePdf => "make_searchable_pdf",
            JobKind::TranscribeAudio => "transcribe_audio",
            JobKind::SendEmail => "send_email",
            JobKind::SendSms => "send_sms",
            JobKind::DeliverWebhook => "deliver_webhook",
            JobKind::Sleep => "sleep",
        }
    }

    /// The worker pool that runs this kind. Pools scale independently.
    pub const fn pool(self) -> Pool {
        match self {
            JobKind::OcrImage | JobKind::TranscribeAudio => Pool::Ai,
            _ => Pool::Cpu,
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or(ParseError::new("kind", "unknown job kind"))
    }
}

/// The life cycle: `queued → running → succeeded`, or `failed` (will retry)
/// → `dead` (retries exhausted or aborted), or `cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Dead,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Dead,
        JobStatus::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// No worker will touch a job in a terminal state again unless an
    /// operator explicitly retries it.
    pub const fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Dead | JobStatus::Cancelled)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL.into_iter().find(|k| k.as_str() == s).ok_or(ParseError::new("status", "unknown job status"))
    }
}

/// A job's last error: a stable code (e.g. `analytics.invalid_event`) and a
/// human message that never contains internals such as paths or SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobError {
    pub code: String,
    pub message: String,
}

/// The public view of a job (SPEC §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: JobId,
    pub kind: JobKind,
    pub status: JobStatus,
    pub progress: u8,
    pub attempts: u32,
    pub error: Option<JobError>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub result: Option<serde_json::Value>,
    /// The `sub` of the token that created the job (child jobs inherit
    /// their parent's creator; platform-made jobs use a `system:` name).
    /// Attendees see only the jobs they created.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip_through_their_wire_names() {
        for k in JobKind::ALL {
            assert_eq!(k.as_str().parse::<JobKind>(), Ok(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(k.as_str())));
        }
        for s in JobStatus::ALL {
            assert_eq!(s.as_str().parse::<JobStatus>(), Ok(s));
        }
        assert!("reticulate".parse::<JobKind>().is_err());
    }

    #[test]
    fn ai_kinds_run_on_the_ai_pool() {
        assert_eq!(JobKind::OcrImage.pool(), Pool::Ai);
        assert_eq!(JobKind::TranscribeAudio.pool(), Pool::Ai);
        assert_eq!(JobKind::IngestAnalytics.pool(), Pool::Cpu);
    }
}
