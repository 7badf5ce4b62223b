//! SMTP delivery through pooled lettre transports: one default transport
//! (`MEETEASY_SMTP_URL`) plus optional per-tenant ones.
//!
//! One message per recipient, so each recipient has its own send-status
//! record and no recipient sees the others.

use std::collections::HashMap;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use meeteasy_pipelines::notify::RenderedEmail;

use super::SendOutcome;
use super::settings::NotifySettings;

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("invalid SMTP URL for {0}: {1}")]
    Url(String, lettre::transport::smtp::Error),
    #[error("invalid email_from address: {0}")]
    From(String),
}

#[derive(Clone)]
pub struct Transport {
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    /// The SMTP host, the unit of per-provider rate limits.
    pub provider: String,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").field("provider", &self.provider).finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct Mailer {
    default: Option<Transport>,
    tenants: HashMap<String, Transport>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("default", &self.default.is_some())
            .field("tenants", &self.tenants.len())
            .finish()
    }
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .rsplit('@')
        .next()
        .unwrap_or("")
        .split(['/', '?', ':'])
        .next()
        .unwrap_or("")
        .into()
}

fn transport(url: &str, settings: &NotifySettings, what: &str) -> Result<Transport, MailerError> {
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| MailerError::Url(what.to_string(), e))?
        .pool_config(PoolConfig::new().max_size(settings.smtp_pool_size.max(1)))
        .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs.max(1))))
        .build();
    Ok(Transport { smtp, provider: host_of(url) })
}

impl Mailer {
    pub fn new(default_url: Option<&str>, settings: &NotifySettings) -> Result<Self, MailerError> {
        let from = settings.email_from.parse::<Mailbox>().map_err(|e| MailerError::From(e.to_string()))?;
        let default = default_url.map(|u| transport(u, settings, "the default transport")).transpose()?;
        let mut tenants = HashMap::new();
        for (tenant, url) in &settings.smtp_tenants {
            tenants.insert(tenant.clone(), transport(url, settings, &format!("tenant {tenant}"))?);
        }
        Ok(Self { default, tenants, from })
    }

    pub fn transport_for(&self, tenant: &str) -> Option<&Transport> {
        self.tenants.get(tenant).or(self.default.as_ref())
    }

    /// Builds one message. `message_id` is derived from the job and
    /// recipient, so a receiving system can spot a duplicate.
    pub fn message(
        &self,
        to: &Mailbox,
        email: &RenderedEmail,
        message_id: &str,
        locale: &str,
    ) -> Result<Message, String> {
        Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(email.subject.clone())
            .message_id(Some(message_id.to_string()))
            .header(ContentLanguage(locale.to_string()))
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| e.to_string())
    }

    pub async fn send(&self, transport: &Transport, message: Message) -> SendOutcome {
        match transport.smtp.send(message).await {
            Ok(resp) => SendOutcome::Sent(resp.message().collect::<Vec<_>>().join(" ")),
            Err(e) if e.is_permanent() => SendOutcome::Permanent(e.to_string()),
            Err(e) => SendOutcome::Transient(e.to_string()),
        }
    }
}

/// `Content-Language`, so clients can pick fonts and spell-checkers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContentLanguage(String);

impl lettre::message::header::Header for ContentLanguage {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_is_the_smtp_host() {
        assert_eq!(host_of("smtp://user:pw@mail.example.com:587?tls=required"), "mail.example.com");
        assert_eq!(host_of("smtp://127.0.0.1:2525"), "127.0.0.1");
    }
}
