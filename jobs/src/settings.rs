//! Runtime settings: per-pool concurrency, per-job-type limits, polling.
//!
//! These are plain serde structs so the binary's layered configuration
//! (defaults → `meeteasy.toml` → `MEETEASY_*` → flags) can fill them.

use std::collections::BTreeMap;
use std::time::Duration;

use meeteasy_models::{JobKind, Pool};
use serde::{Deserialize, Serialize};

/// Limits of one job type. Every field has a per-kind default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobTypeSettings {
    /// Execution timeout of one attempt, in seconds.
    pub timeout_secs: u64,
    /// How long a job may wait in the queue before it is given up, in seconds.
    pub queue_wait_secs: u64,
    /// Attempts before a retryable failure becomes `dead`.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, with ±25 % jitter.
    pub backoff_base_secs: u64,
    /// Upper bound of the retry delay.
    pub backoff_max_secs: u64,
}

impl Default for JobTypeSettings {
    fn default() -> Self {
        Self { timeout_secs: 60, queue_wait_secs: 3600, max_attempts: 5, backoff_base_secs: 2, backoff_max_secs: 300 }
    }
}

impl JobTypeSettings {
    /// Built-in defaults per kind: voice input must be fast or not at all,
    /// documents may take minutes, email and webhooks retry for a while.
    pub fn default_for(kind: JobKind) -> Self {
        let d = Self::default();
        match kind {
            JobKind::IngestAnalytics => Self { timeout_secs: 60, max_attempts: 8, ..d },
            JobKind::ConvertDocument => Self { timeout_secs: 120, max_attempts: 3, ..d },
            JobKind::MakeSearchablePdf => Self { timeout_secs: 1800, max_attempts: 3, ..d },
            JobKind::OcrImage => Self { timeout_secs: 60, max_attempts: 3, ..d },
            JobKind::TranscribeAudio => Self { timeout_secs: 120, queue_wait_secs: 300, max_attempts: 2, ..d },
            JobKind::SendEmail | JobKind::SendSms => Self { timeout_secs: 30, max_attempts: 8, ..d },
            JobKind::DeliverWebhook => Self { timeout_secs: 15, max_attempts: 10, backoff_max_secs: 3600, ..d },
            JobKind::Sleep => Self { timeout_secs: 60, max_attempts: 3, backoff_base_secs: 1, ..d },
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }

    pub fn queue_wait(&self) -> Duration {
        Duration::from_secs(self.queue_wait_secs.max(1))
    }

    /// The delay before attempt `attempt + 1`, given `attempt` attempts so far.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self.backoff_base_secs.max(1).saturating_mul(1u64 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.backoff_max_secs.max(1)) as f64;
        Duration::from_secs_f64((capped * (1.0 + jitter.clamp(-0.25, 0.25))).max(1.0))
    }
}

/// One pool's worker settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolSettings {
    /// Jobs of each type this process runs at once.
    pub concurrency: usize,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { concurrency: 4 }
    }
}

/// Everything the worker runtime and the enqueue side need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimeSettings {
    /// Queue key prefix (Redis) / queue name prefix (SQLite).
    pub namespace: String,
    /// How often an idle worker polls for new jobs, in milliseconds. apalis
    /// otherwise re-polls only on its 30 s heartbeat.
    pub poll_interval_ms: u64,
    /// Worker heartbeat, in seconds; a worker that misses
    /// `missed_heartbeats` beats is dead and its jobs are re-queued.
    pub heartbeat_secs: u64,
    pub missed_heartbeats: usize,
    /// Grace period for in-flight jobs on SIGTERM, in seconds.
    pub shutdown_grace_secs: u64,
    pub cpu: PoolSettings,
    pub ai: PoolSettings,
    /// Per-kind overrides, keyed by the kind's wire name.
    pub jobs: BTreeMap<String, JobTypeSettings>,
    /// How often the sweeper looks for jobs that lost their queue message,
    /// in seconds (0 turns it off).
    pub sweep_interval_secs: u64,
    /// How long a `queued` job may go unchanged (or a `running` one past
    /// its timeout) before the sweeper may act on it, in seconds.
    pub sweep_grace_secs: u64,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        Self {
            namespace: "meeteasy".into(),
            poll_interval_ms: 25,
            heartbeat_secs: 5,
            missed_heartbeats: 3,
            shutdown_grace_secs: 30,
            cpu: PoolSettings { concurrency: 4 },
            ai: PoolSettings { concurrency: 1 },
            jobs: BTreeMap::new(),
            sweep_interval_secs: 15,
            sweep_grace_secs: 30,
        }
    }
}

impl RuntimeSettings {
    pub fn job(&self, kind: JobKind) -> JobTypeSettings {
        self.jobs.get(kind.as_str()).copied().unwrap_or_else(|| JobTypeSettings::default_for(kind))
    }

    pub fn pool(&self, pool: Pool) -> PoolSettings {
        match pool {
            Pool::Cpu => self.cpu,
            Pool::Ai => self.ai,
        }
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(1))
    }

    /// The queue name of a kind: `<namespace>:<pool>:<kind>`.
    pub fn queue_name(&self, kind: JobKind) -> String {
        format!("{}:{}:{}", self.namespace, kind.pool(), kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = JobTypeSettings { backoff_base_secs: 2, backoff_max_secs: 10, ..Default::default() };
        assert_eq!(s.backoff(1, 0.0), Duration::from_secs(2));
        assert_eq!(s.backoff(2, 0.0), Duration::from_secs(4));
        assert_eq!(s.backoff(3, 0.0), Duration::from_secs(8));
        assert_eq!(s.backoff(9, 0.0), Duration::from_secs(10));
        assert_eq!(s.backoff(2, 0.25), Duration::from_secs(5));
    }
}
