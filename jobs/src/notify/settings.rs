//! Notification and webhook settings (config section `notifications`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    /// A folder whose files override or extend the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// The `From:` of every email.
    pub email_from: String,
    /// Per-tenant SMTP transports (lettre URL syntax), keyed by tenant id;
    /// other tenants use the default (`smtp_url` / `MEETEASY_SMTP_URL`).
    pub smtp_tenants: BTreeMap<String, String>,
    /// Pooled SMTP connections per transport.
    pub smtp_pool_size: u32,
    /// SMTP command timeout, in seconds.
    pub smtp_timeout_secs: u64,
    pub email_per_tenant_per_minute: u64,
    pub email_per_provider_per_second: u64,
    pub sms: SmsSettings,
    pub webhooks: WebhookSettings,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            templates_dir: None,
            email_from: "MeetEasy <no-reply@meeteasy.invalid>".into(),
            smtp_tenants: BTreeMap::new(),
            smtp_pool_size: 8,
            smtp_timeout_secs: 30,
            email_per_tenant_per_minute: 1200,
            email_per_provider_per_second: 500,
            sms: SmsSettings::default(),
            webhooks: WebhookSettings::default(),
        }
    }
}

/// The generic HTTP SMS provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsSettings {
    /// The provider's endpoint, a template over `to`, `body` and `key`
    /// (e.g. `https://sms.example.com/send?to={{ to|urlencode }}`); unset
    /// disables SMS (`sms.not_configured`).
    pub url: Option<String>,
    /// `POST` or `PUT`.
    pub method: String,
    /// Extra request headers, e.g. `Authorization = "Bearer …"`.
    pub headers: BTreeMap<String, String>,
    /// The request body, a template over `to`, `body` and `key` (the
    /// idempotency key of the message); use `|tojson` for JSON strings.
    pub body_template: String,
    pub per_tenant_per_minute: u64,
    pub per_provider_per_second: u64,
    pub timeout_secs: u64,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            url: None,
            method: "POST".into(),
            headers: BTreeMap::new(),
            body_template: r#"{"to": {{ to|tojson }}, "text": {{ body|tojson }}, "idempotency_key": {{ key|tojson }}}"#
                .into(),
            per_tenant_per_minute: 600,
            per_provider_per_second: 50,
            timeout_secs: 10,
        }
    }
}

/// Webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Targets allowed even though they are private, loopback or link-local:
    /// CIDRs (`10.0.0.0/8`, `127.0.0.1/32`) or exact host names.
    pub allow_private: Vec<String>,
    pub timeout_secs: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self { allow_private: Vec::new(), timeout_secs: 10 }
    }
}
