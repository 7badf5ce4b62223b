//! `send_sms`: render a template and send it to each number through the
//! configured SMS provider, with the same claim/settle protocol and rate
//! limits as email.

use std::time::Duration;

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
pub struct SendSms {
    pub to: Vec<String>,
    pub template: String,
    pub locale: String,
    #[serde(default)]
    pub vars: serde_json::Value,
}

impl JobSpec for SendSms {
    const KIND: JobKind = JobKind::SendSms;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let svc = ctx.services.clone();
        let provider =
            svc.sms.clone().ok_or_else(|| JobFailure::abort("sms.not_configured", "no SMS provider is configured"))?;
        let locale = Locale::parse(&self.locale)
            .ok_or_else(|| JobFailure::abort("notification.invalid_locale", "unsupported locale"))?;
        let body = svc
            .templates
            .render_sms(&self.template, locale, &self.vars)
            .map_err(|e| JobFailure::abort("notification.template_error", e.to_string()))?;
        let mut report = NotifyReport::default();
        for to in &self.to {
            let key = key_for(&ctx, "sms", to);
            if let Claim::Skip(status) = claim(ctx.store.as_ref(), &key).await? {
                report.push(to, status, "");
                continue;
            }
            let limits = [
                (
                    format!("sms:tenant:{}", ctx.tenant_id),
                    svc.settings.sms.per_tenant_per_minute,
                    Duration::from_secs(60),
                ),
                (
                    format!("sms:provider:{}", provider.name()),
                    svc.settings.sms.per_provider_per_second,
                    Duration::from_secs(1),
                ),
            ];
            if let Err(deferred) = rate_limit(&svc.gate, &limits).await {
                settle(ctx.store.as_ref(), &key, DeliveryStatus::Retry, "deferred by a rate limit").await?;
                return Err(deferred);
            }
            let idempotency = format!("{}:{}", ctx.job_id, to);
            let (status, detail) = match provider.send(to, &body, &idempotency).await {
                SendOutcome::Sent(d) => (DeliveryStatus::Sent, d),
                SendOutcome::Permanent(d) => (DeliveryStatus::Failed, d),
                SendOutcome::Transient(d) => (DeliveryStatus::Retry, d),
            };
            settle(ctx.store.as_ref(), &key, status, &detail).await?;
            report.push(to, status, &detail);
        }
        report.finish("sms")
    }
}
