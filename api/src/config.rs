//! Layered configuration: built-in defaults → `meeteasy.toml` (or the file
//! named by `--config` / `MEETEASY_CONFIG`) → `MEETEASY_*` environment
//! variables → command-line flags.
//!
//! Every key, its default and its environment variable are listed in the
//! README's configuration table. Nested keys use `__` in environment names:
//! `MEETEASY_RUNTIME__CPU__CONCURRENCY=8` sets `runtime.cpu.concurrency`.
//! Values from the environment are read as strings and converted lossily, so
//! an all-digit secret stays a string.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use meeteasy_jobs::notify::settings::NotifySettings;
use meeteasy_jobs::settings::RuntimeSettings;
use serde::{Deserialize, Serialize};

/// The HS256 secret used when none is configured, by `meeteasy dev` and
/// `meeteasy token` only, so a local set-up works out of the box (both say
/// so when they use it). It is public, so `meeteasy api` and `meeteasy
/// worker` refuse to start with it: anyone could mint a `super_admin` token.
pub const DEV_JWT_SECRET: &str = "meeteasy-dev-secret-do-not-use-in-production";

/// The shortest HS256 secret accepted: 256 bits, the size of the HMAC key
/// (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address the HTTP server binds.
    pub listen: String,
    /// Embedded default: where the SQLite files and blobs live.
    pub data_dir: PathBuf,
    /// Scale-out: Redis for queues, events, tickets and rate limits.
    pub redis_url: String,
    /// Scale-out: MongoDB; the database name comes from the URL path.
    pub mongodb_url: String,
    /// HS256 secret shared by every process that mints or checks tokens.
    pub jwt_secret: String,
    /// Optional RS256 public key (PEM). When set, tokens are verified with it
    /// and `meeteasy token` cannot mint.
    pub jwt_public_key_pem: Option<String>,
    /// When set, every token must carry this `iss` (and minted tokens do).
    pub jwt_issuer: Option<String>,
    /// When set, every token must carry this `aud` (and minted tokens do).
    pub jwt_audience: Option<String>,
    /// `pretty` or `json` logs.
    pub log_format: String,
    /// The `tracing` filter, e.g. `info,meeteasy_jobs=debug`.
    pub log_level: String,
    /// Where the AI pool finds its models.
    pub models_dir: PathBuf,
    /// Default SMTP transport (lettre URL syntax).
    pub smtp_url: Option<String>,
    pub auth: AuthSettings,
    pub notifications: NotifySettings,
    pub asr: AsrSettings,
    pub ocr: OcrSettings,
    pub documents: meeteasy_jobs::documents::DocumentSettings,
    /// The parser sandbox (`[sandbox]`).
    pub sandbox: meeteasy_jobs::sandbox::SandboxSettings,
    pub limits: Limits,
    /// Deadlines of store operations.
    pub store: meeteasy_jobs::store::timed::StoreSettings,
    pub metrics: MetricsSettings,
    pub runtime: RuntimeSettings,
}

/// The Prometheus endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// Serve `/metrics` on this address instead of the API's listener (keep
    /// it on a private interface). Unset: `/metrics` is on the API listener.
    pub listen: Option<String>,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
    /// How often the shared gauges (queue depth, jobs by state) are read
    /// from the backends. A scrape only renders the cached values.
    pub refresh_secs: u64,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self { listen: None, bearer_token: None, refresh_secs: 15 }
    }
}

/// OCR on the AI pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OcrSettings {
    /// ONNX Runtime intra-op threads per OCR engine (one engine per AI slot).
    pub threads: usize,
    /// `libonnxruntime.so` to load instead of
    /// `<models_dir>/onnxruntime/libonnxruntime.so.1.31.1`.
    pub ort_dylib_path: Option<std::path::PathBuf>,
}

impl Default for OcrSettings {
    fn default() -> Self {
        Self { threads: 2, ort_dylib_path: None }
    }
}

/// Speech recognition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AsrSettings {
    /// A ggml Whisper model to use instead of `<models_dir>/whisper/ggml-tiny.en.bin`
    /// (any whisper.cpp model: base, small, multilingual).
    pub model_path: Option<std::path::PathBuf>,
    /// whisper.cpp threads per transcription. 1 gives steady latency when
    /// the AI pool shares a small host with other work; on an idle host, 2
    /// roughly halves inference time (see `bench-audio-ctx`).
    pub threads: usize,
    /// Longest accepted clip for `/v1/transcriptions`, in seconds.
    pub max_duration_secs: u64,
    /// How long `/v1/audio/transcriptions` (synchronous, OpenAI-style)
    /// waits for the transcript before answering 504.
    pub sync_wait_secs: u64,
    /// Denoiser, voice-activity gate and hallucination guards
    /// (`[asr.noise]`, `MEETEASY_ASR__NOISE__DENOISE=false`, …).
    pub noise: meeteasy_ai::asr::NoiseRobustness,
}

impl Default for AsrSettings {
    fn default() -> Self {
        Self {
            model_path: None,
            threads: 1,
            max_duration_secs: 120,
            sync_wait_secs: 60,
            noise: meeteasy_ai::asr::NoiseRobustness::default(),
        }
    }
}

/// Token and ticket lifetimes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Lifetime of a login ticket, in seconds.
    pub ticket_ttl_secs: u64,
    /// Lifetime of an access token minted from a ticket, in seconds.
    pub access_token_ttl_secs: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { ticket_ttl_secs: 60, access_token_ttl_secs: 3600 }
    }
}

/// Request limits. Rate limits are per tenant and shared by all API
/// instances through Redis (or kept in process when embedded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    pub json_body_bytes: usize,
    pub document_body_bytes: usize,
    pub audio_body_bytes: usize,
    /// Requests per tenant per minute; 0 disables rate limiting.
    pub tenant_requests_per_minute: u64,
    /// Deadline of an ordinary request, in seconds (`504 request.timeout`).
    pub request_timeout_secs: u64,
    /// Deadline of an upload (documents, OCR, audio), in seconds.
    pub upload_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body_bytes: 1024 * 1024,
            document_body_bytes: 100 * 1024 * 1024,
            audio_body_bytes: 25 * 1024 * 1024,
            tenant_requests_per_minute: 6000,
            request_timeout_secs: 30,
            upload_timeout_secs: 600,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            redis_url: "redis://127.0.0.1:6379".into(),
            mongodb_url: "mongodb://127.0.0.1:27017/meeteasy".into(),
            jwt_secret: DEV_JWT_SECRET.into(),
            jwt_public_key_pem: None,
            jwt_issuer: None,
            jwt_audience: None,
            log_format: "pretty".into(),
            log_level: "info".into(),
            models_dir: PathBuf::from("./models-data"),
            smtp_url: None,
            auth: AuthSettings::default(),
            notifications: NotifySettings::default(),
            asr: AsrSettings::default(),
            ocr: OcrSettings::default(),
            documents: Default::default(),
            sandbox: Default::default(),
            limits: Limits::default(),
            store: Default::default(),
            metrics: MetricsSettings::default(),
            runtime: RuntimeSettings::default(),
        }
    }
}

impl Settings {
    /// The Whisper model the AI pool loads.
    pub fn whisper_model(&self) -> Result<std::path::PathBuf, meeteasy_ai::MissingModels> {
        match &self.asr.model_path {
            Some(p) if p.is_file() => Ok(p.clone()),
            Some(p) => {
                Err(meeteasy_ai::MissingModels { dir: p.display().to_string(), missing: "asr.model_path".into() })
            }
            None => meeteasy_ai::ModelInventory::new(&self.models_dir).whisper_model(),
        }
    }

    pub fn uses_dev_secret(&self) -> bool {
        self.public_key().is_none() && self.jwt_secret == DEV_JWT_SECRET
    }

    /// The RS256 public key, when one is configured (an empty value is none).
    pub fn public_key(&self) -> Option<&str> {
        self.jwt_public_key_pem.as_deref().filter(|k| !k.trim().is_empty())
    }

    /// Checks the token secret before a process starts. `allow_dev`: only
    /// `meeteasy dev` and `meeteasy token` may fall back to the public
    /// development secret. A configured secret must be long enough
    /// everywhere.
    pub fn check_secret(&self, allow_dev: bool) -> Result<(), SecretError> {
        if self.public_key().is_some() {
            return Ok(());
        }
        if self.jwt_secret == DEV_JWT_SECRET {
            return if allow_dev { Ok(()) } else { Err(SecretError::Missing) };
        }
        match self.jwt_secret.len() {
            0 => Err(SecretError::Missing),
            n if n < MIN_SECRET_BYTES => Err(SecretError::TooShort(n)),
            _ => Ok(()),
        }
    }
}

/// Why a process refuses to start with its token configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "MEETEASY_JWT_SECRET is not set: `meeteasy api` and `meeteasy worker` need a secret of at least \
         {MIN_SECRET_BYTES} bytes shared by every process (e.g. `export MEETEASY_JWT_SECRET=$(openssl rand -hex 32)`), \
         or an RS256 public key in MEETEASY_JWT_PUBLIC_KEY_PEM; only `meeteasy dev` and `meeteasy token` use the \
         built-in development secret"
    )]
    Missing,
    #[error(
        "MEETEASY_JWT_SECRET is too short ({0} bytes): use at least {MIN_SECRET_BYTES} bytes \
         (e.g. `openssl rand -hex 32`)"
    )]
    TooShort(usize),
}

/// Flag values that override everything else; `None` means "not given".
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("the configuration file {0} does not exist")]
    MissingFile(String),
}

/// Loads the layered settings. `file` defaults to `./meeteasy.toml`, which
/// may be absent; a file named explicitly must exist, and a malformed file
/// is always an error.
pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Settings, ConfigError> {
    let mut fig = Figment::from(Serialized::defaults(Settings::default()));
    match file {
        Some(path) if !path.is_file() => {
            return Err(ConfigError::MissingFile(path.display().to_string()));
        }
        Some(path) => fig = fig.merge(Toml::file_exact(path)),
        None if Path::new("meeteasy.toml").is_file() => fig = fig.merge(Toml::file_exact("meeteasy.toml")),
        None => {}
    }
    for (key, value) in Env::prefixed("MEETEASY_").split("__").ignore(&["config"]).iter() {
        fig = fig.merge(Serialized::default(key.as_str(), value));
    }
    fig.merge(Serialized::defaults(overrides)).extract_lossy().map_err(|e| ConfigError::Figment(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = Settings::default();
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert!(s.uses_dev_secret());
        assert_eq!(s.limits.json_body_bytes, 1 << 20);
    }

    #[test]
    fn only_dev_and_token_accept_the_dev_secret_and_short_secrets_never_pass() {
        let mut s = Settings::default();
        assert_eq!(s.check_secret(true), Ok(()));
        assert_eq!(s.check_secret(false), Err(SecretError::Missing));
        s.jwt_secret = String::new();
        assert_eq!(s.check_secret(true), Err(SecretError::Missing));
        s.jwt_secret = "short".into();
        assert_eq!(s.check_secret(true), Err(SecretError::TooShort(5)));
        assert_eq!(s.check_secret(false), Err(SecretError::TooShort(5)));
        s.jwt_secret = "x".repeat(MIN_SECRET_BYTES);
        assert_eq!(s.check_secret(false), Ok(()));
        let mut rs = Settings { jwt_public_key_pem: Some("-----BEGIN PUBLIC KEY-----".into()), ..Settings::default() };
        assert_eq!(rs.check_secret(false), Ok(()));
        rs.jwt_public_key_pem = Some("  ".into());
        assert_eq!(rs.check_secret(false), Err(SecretError::Missing));
        assert!(SecretError::Missing.to_string().contains("MEETEASY_JWT_SECRET"));
    }

    #[test]
    fn flags_override_files_and_files_override_defaults() {
        let dir = std::env::temp_dir().join(format!("meeteasy-config-{}", uuid::Uuid::now_v7()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("meeteasy.toml");
        let _ = std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\njwt_secret = \"123456\"\n[runtime.cpu]\nconcurrency = 9\n",
        );
        let s = load(Some(&file), Overrides::default()).ok();
        assert_eq!(s.as_ref().map(|s| s.listen.as_str()), Some("0.0.0.0:9000"));
        assert_eq!(s.as_ref().map(|s| s.runtime.cpu.concurrency), Some(9));
        assert_eq!(s.as_ref().map(|s| s.jwt_secret.as_str()), Some("123456"));
        let s = load(Some(&file), Overrides { listen: Some("127.0.0.1:1".into()), data_dir: None }).ok();
        assert_eq!(s.map(|s| s.listen), Some("127.0.0.1:1".to_string()));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_malformed_file_is_an_error() {
        let dir = std::env::temp_dir().join(format!("meeteasy-config-{}", uuid::Uuid::now_v7()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("bad.toml");
        let _ = std::fs::write(&file, "listen = [");
        assert!(load(Some(&file), Overrides::default()).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
