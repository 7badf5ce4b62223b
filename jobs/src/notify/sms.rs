//! SMS providers. The trait keeps the job independent of any vendor; the
//! generic HTTP provider covers most gateways with a URL, headers and a body
//! template.

use std::time::Duration;

use async_trait::async_trait;
use meeteasy_pipelines::notify::Templates;

use super::SendOutcome;
use super::settings::SmsSettings;

#[async_trait]
pub trait SmsProvider: Send + Sync {
    /// The unit of per-provider rate limits.
    fn name(&self) -> &str;
    /// Sends one message. `key` is stable across retries of the same
    /// message, for providers that deduplicate.
    async fn send(&self, to: &str, body: &str, key: &str) -> SendOutcome;
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("sms.url is not a valid http(s) URL")]
    Url,
    #[error("sms.method must be POST or PUT")]
    Method,
    #[error("http client: {0}")]
    Client(String),
}

/// POSTs (or PUTs) a templated body to a URL.
#[derive(Debug)]
pub struct HttpSmsProvider {
    client: reqwest::Client,
    url: String,
    host: String,
    method: reqwest::Method,
    headers: Vec<(String, String)>,
    body_template: String,
    templates: Templates,
}

impl HttpSmsProvider {
    pub fn new(url: &str, settings: &SmsSettings, templates: Templates) -> Result<Self, SmsError> {
        // Validate the URL's fixed part: placeholders render to sample values.
        let sample = templates
            .render_inline(url, &serde_json::json!({"to": "+10000000000", "body": "x", "key": "k"}))
            .map_err(|_| SmsError::Url)?;
        let parsed = reqwest::Url::parse(&sample).map_err(|_| SmsError::Url)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SmsError::Url);
        }
        let method = match settings.method.to_ascii_uppercase().as_str() {
            "POST" => reqwest::Method::POST,
            "PUT" => reqwest::Method::PUT,
            _ => return Err(SmsError::Method),
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SmsError::Client(e.to_string()))?;
        Ok(Self {
            client,
            host: parsed.host_str().unwrap_or_default().to_string(),
            url: url.to_string(),
            method,
            headers: settings.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            body_template: settings.body_template.clone(),
            templates,
        })
    }
}

#[async_trait]
impl SmsProvider for HttpSmsProvider {
    fn name(&self) -> &str {
        &self.host
    }

    async fn send(&self, to: &str, body: &str, key: &str) -> SendOutcome {
        let vars = serde_json::json!({"to": to, "body": body, "key": key});
        let payload = match self.templates.render_inline(&self.body_template, &vars) {
            Ok(p) => p,
            Err(e) => return SendOutcome::Permanent(format!("sms.body_template: {e}")),
        };
        // The URL is a template too (`…/send?to={{ to|urlencode }}`).
        let url = match self.templates.render_inline(&self.url, &vars) {
            Ok(u) => u,
            Err(e) => return SendOutcome::Permanent(format!("sms.url: {e}")),
        };
        let mut req = self.client.request(self.method.clone(), &url).header("content-type", "application/json");
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        match req.body(payload).send().await {
            Ok(resp) => {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                let detail = format!("HTTP {}: {}", status.as_u16(), text.chars().take(200).collect::<String>());
                if status.is_success() {
                    SendOutcome::Sent(detail)
                } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                    SendOutcome::Transient(detail)
                } else {
                    SendOutcome::Permanent(detail)
                }
            }
            Err(e) => SendOutcome::Transient(format!("request failed: {e}")),
        }
    }
}
