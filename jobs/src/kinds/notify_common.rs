//! Shared by `send_email` and `send_sms`: the per-recipient report, the
//! delivery key and the rate-limit check.

use std::time::Duration;

use serde::Serialize;

use crate::JobFailure;
use crate::ratelimit::RateGate;
use crate::runtime::JobContext;
use crate::store::{DeliveryKey, DeliveryStatus};

pub(super) fn key_for(ctx: &JobContext, channel: &'static str, recipient: &str) -> DeliveryKey {
    DeliveryKey { tenant_id: ctx.tenant_id.clone(), job_id: ctx.job_id, channel, recipient: recipient.to_string() }
}

/// Checks every `(key, limit, window)`; the first exhausted one defers.
pub(super) async fn rate_limit(gate: &RateGate, limits: &[(String, u64, Duration)]) -> Result<(), JobFailure> {
    for (key, limit, window) in limits {
        if let Err(wait) = gate.check(key, *limit, *window).await {
            return Err(JobFailure::defer("notification.rate_limited", wait.max(Duration::from_secs(1))));
        }
    }
    Ok(())
}

#[derive(Debug, Default, Serialize)]
pub(super) struct NotifyReport {
    recipients: Vec<RecipientOutcome>,
}

#[derive(Debug, Serialize)]
struct RecipientOutcome {
    to: String,
    status: DeliveryStatus,
    #[serde(skip_serializing_if = "String::is_empty")]
    detail: String,
}

impl NotifyReport {
    pub(super) fn push(&mut self, to: &str, status: DeliveryStatus, detail: &str) {
        self.recipients.push(RecipientOutcome { to: to.into(), status, detail: detail.chars().take(300).collect() });
    }

    fn count(&self, s: DeliveryStatus) -> usize {
        self.recipients.iter().filter(|r| r.status == s).count()
    }

    /// Any transient failure retries the job (settled recipients are
    /// skipped next time); all-permanent failure aborts; otherwise success.
    pub(super) fn finish(self, channel: &str) -> Result<serde_json::Value, JobFailure> {
        if self.count(DeliveryStatus::Retry) > 0 {
            return Err(JobFailure::retry(
                format!("{channel}.provider_unavailable"),
                "the provider failed temporarily",
            ));
        }
        if !self.recipients.is_empty() && self.count(DeliveryStatus::Failed) == self.recipients.len() {
            return Err(JobFailure::abort(format!("{channel}.rejected"), "the provider refused every recipient"));
        }
        Ok(serde_json::json!({
            "sent": self.count(DeliveryStatus::Sent),
            "failed": self.count(DeliveryStatus::Failed),
            "unknown": self.count(DeliveryStatus::Unknown),
            "recipients": self.recipients,
        }))
    }
}
