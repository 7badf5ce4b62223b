//! `send_email`: render a template and send it to each recipient over SMTP.
//!
//! Per recipient: wait for the shared rate limits (deferring the job, never
//! dropping it), claim the send-status record, send, settle the record. SMTP
//! 4xx and network trouble are retried with backoff; a 5xx is permanent for
//! that recipient. The result lists every recipient's outcome.

use std::time::Duration;

use lettre::message::Mailbox;
use meeteasy_models::JobKind;
use meeteasy_pipelines::notify::Locale;
use serde::{Deserialize, Serialize};

use super::notify_common::{NotifyReport, key_for, rate_limit};
use crate::notify::SendOutcome;
use crate::notify::claim::{Claim, claim, settle};
use crate::runtime::JobContext;
use crate::store::DeliveryStatus;
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendEmail {
    pub to: Vec<String>,
    pub template: String,
    pub locale: String,
    #[serde(default)]
    pub vars: serde_json::Value,
}

impl JobSpec for SendEmail {
    const KIND: JobKind = JobKind::SendEmail;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let svc = ctx.services.clone();
        let locale = Locale::parse(&self.locale)
            .ok_or_else(|| JobFailure::abort("notification.invalid_locale", "unsupported locale"))?;
        let email = svc
            .templates
            .render_email(&self.template, locale, &self.vars)
            .map_err(|e| JobFailure::abort("notification.template_error", e.to_string()))?;
        let transport = svc
            .mailer
            .transport_for(ctx.tenant_id.as_str())
            .ok_or_else(|| JobFailure::abort("email.not_configured", "no SMTP transport is configured"))?
            .clone();
        let mut report = NotifyReport::default();
        let total = self.to.len().max(1);
        for (i, to) in self.to.iter().enumerate() {
            let Ok(mailbox) = to.parse::<Mailbox>() else {
                report.push(to, DeliveryStatus::Failed, "invalid address");
                continue;
            };
            let key = key_for(&ctx, "email", to);
            if let Claim::Skip(status) = claim(ctx.store.as_ref(), &key).await? {
                report.push(to, status, "");
                continue;
            }
            let limits = [
                (
                    format!("email:tenant:{}", ctx.tenant_id),
                    svc.settings.email_per_tenant_per_minute,
                    Duration::from_secs(60),
                ),
                (
                    format!("email:provider:{}", transport.provider),
                    svc.settings.email_per_provider_per_second,
                    Duration::from_secs(1),
                ),
            ];
            if let Err(deferred) = rate_limit(&svc.gate, &limits).await {
                settle(ctx.store.as_ref(), &key, DeliveryStatus::Retry, "deferred by a rate limit").await?;
                return Err(deferred);
            }
            let message_id = format!("<{}.{}@meeteasy>", ctx.job_id, i);
            let message = match svc.mailer.message(&mailbox, &email, &message_id, locale.as_str()) {
                Ok(m) => m,
                Err(e) => {
                    settle(ctx.store.as_ref(), &key, DeliveryStatus::Failed, &e).await?;
                    report.push(to, DeliveryStatus::Failed, &e);
                    continue;
                }
            };
            let (status, detail) = match svc.mailer.send(&transport, message).await {
                SendOutcome::Sent(d) => (DeliveryStatus::Sent, d),
                SendOutcome::Permanent(d) => (DeliveryStatus::Failed, d),
                SendOutcome::Transient(d) => (DeliveryStatus::Retry, d),
            };
            settle(ctx.store.as_ref(), &key, status, &detail).await?;
            report.push(to, status, &detail);
            // Progress costs two store round trips: report it for bulk sends
            // only, at most once per 10 %.
            let (before, after) = (i * 10 / total, (i + 1) * 10 / total);
            if total > 1 && after > before {
                ctx.progress(u8::try_from((i + 1) * 100 / total).unwrap_or(100).min(99)).await;
            }
        }
        report.finish("email")
    }
}
