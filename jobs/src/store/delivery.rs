//! Send-status records for notifications, and webhook endpoints.

use chrono::{DateTime, Utc};
use meeteasy_models::{JobId, TenantId};
use serde::{Deserialize, Serialize};

/// Where one recipient of one notification job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// A send is in progress (or its worker died mid-send).
    Sending,
    Sent,
    /// Permanently refused by the provider.
    Failed,
    /// A previous attempt died while sending: it may or may not have gone
    /// out, so it is never sent again.
    Unknown,
    /// A transient failure: the next attempt sends again.
    Retry,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Unknown => "unknown",
            DeliveryStatus::Retry => "retry",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sending, Self::Sent, Self::Failed, Self::Unknown, Self::Retry].into_iter().find(|v| v.as_str() == s)
    }
}

/// Identifies one recipient of one job on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryKey {
    pub tenant_id: TenantId,
    pub job_id: JobId,
    pub channel: &'static str,
    pub recipient: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub channel: String,
    pub recipient: String,
    pub status: DeliveryStatus,
    pub detail: Option<String>,
}

/// A tenant's webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub tenant_id: TenantId,
    pub url: String,
    /// The HMAC key; shown to the tenant once, at registration.
    pub secret: String,
    /// Event names to deliver; empty means all.
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}
