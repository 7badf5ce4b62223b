//! Everything jobs need besides the store: the templates, the SMTP mailer,
//! the SMS provider, the shared rate gate, the egress policy for
//! tenant-supplied URLs, and (on AI workers) the warm speech engine.

pub mod claim;
pub mod egress;
pub mod mailer;
pub mod settings;
pub mod sms;

use std::sync::Arc;
use std::time::Duration;

use meeteasy_pipelines::notify::{TemplateError, Templates};

use crate::ratelimit::RateGate;
use egress::EgressPolicy;
use mailer::{Mailer, MailerError};
use settings::NotifySettings;
use sms::{HttpSmsProvider, SmsError, SmsProvider};

/// What a provider said about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent(String),
    /// The provider refused for good (SMTP 5xx, HTTP 4xx).
    Permanent(String),
    /// Try again later (SMTP 4xx, HTTP 5xx/429, network trouble).
    Transient(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    #[error(transparent)]
    Templates(#[from] TemplateError),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    #[error(transparent)]
    Sms(#[from] SmsError),
    #[error("http client: {0}")]
    Http(String),
}

/// Installs the process-wide TLS provider that reqwest's rustls uses (SMS,
/// webhooks). Idempotent; call before building any `reqwest::Client`.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Shared by every worker slot (and by the API, for validation).
#[derive(Clone)]
pub struct Services {
    pub templates: Templates,
    pub mailer: Mailer,
    pub sms: Option<Arc<dyn SmsProvider>>,
    pub gate: RateGate,
    pub egress: EgressPolicy,
    pub settings: NotifySettings,
    /// Loaded only by processes that run the AI pool.
    pub speech: Option<Arc<crate::speech::SpeechPool>>,
    /// The OCR engines; loaded only by processes that run the AI pool.
    pub vision: Option<Arc<crate::vision::OcrPool>>,
    /// Document settings and the (lazily started) LibreOffice pool.
    pub documents: Arc<crate::documents::Documents>,
    /// Where untrusted bytes are parsed (a limited child process).
    pub sandbox: Arc<crate::sandbox::Sandbox>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("mailer", &self.mailer).field("sms", &self.sms.is_some()).finish()
    }
}

impl Services {
    pub fn new(settings: &NotifySettings, smtp_url: Option<&str>, gate: RateGate) -> Result<Self, ServicesError> {
        install_tls_provider();
        let templates = match &settings.templates_dir {
            Some(dir) => Templates::with_overrides(dir)?,
            None => Templates::builtin(),
        };
        let sms: Option<Arc<dyn SmsProvider>> = match &settings.sms.url {
            Some(url) => Some(Arc::new(HttpSmsProvider::new(url, &settings.sms, templates.clone())?)),
            None => None,
        };
        Ok(Self {
            mailer: Mailer::new(smtp_url, settings)?,
            sms,
            gate,
            egress: EgressPolicy::new(&settings.webhooks.allow_private),
            settings: settings.clone(),
            templates,
            speech: None,
            vision: None,
            documents: crate::documents::Documents::new(Default::default()),
            sandbox: crate::sandbox::Sandbox::new(&Default::default()),
        })
    }

    pub fn webhook_timeout(&self) -> Duration {
        Duration::from_secs(self.settings.webhooks.timeout_secs.max(1))
    }
}

/// Whether `s` is a syntactically valid email address (as lettre parses it).
pub fn is_valid_email(s: &str) -> bool {
    s.parse::<lettre::message::Mailbox>().is_ok()
}

/// Whether `s` is an E.164 phone number: `+`, then 7–15 digits.
pub fn is_valid_phone(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}
