//! Job events: every status change is published so that Socket.IO clients,
//! `?wait` requests and webhooks can react without polling the store.
//!
//! Why two transports: with Redis, workers on other hosts publish on a Redis
//! channel that every API instance subscribes to; embedded, a process-local
//! broadcast channel does the same job with no server. Publishing is
//! best-effort: the store already holds the new state, so a lost event only
//! delays a client until its next poll.

use meeteasy_models::{JobStatus, JobView, TenantId};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The Redis channel job events are published on.
pub const CHANNEL: &str = "meeteasy:events";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    /// `job.progress`, `job.completed` or `job.failed`.
    pub event: String,
    pub tenant_id: TenantId,
    pub job: JobView,
}

impl JobEvent {
    pub fn for_view(tenant_id: TenantId, job: JobView) -> Self {
        let event = match job.status {
            JobStatus::Succeeded => "job.completed",
            JobStatus::Failed | JobStatus::Dead | JobStatus::Cancelled => "job.failed",
            JobStatus::Queued | JobStatus::Running => "job.progress",
        };
        Self { event: event.to_string(), tenant_id, job }
    }
}

/// Publishes job events to Redis (if configured) and to local subscribers.
#[derive(Clone)]
pub struct EventBus {
    redis: Option<ConnectionManager>,
    local: broadcast::Sender<JobEvent>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus").field("redis", &self.redis.is_some()).finish()
    }
}

impl EventBus {
    pub fn local() -> Self {
        Self { redis: None, local: broadcast::channel(1024).0 }
    }

    pub fn with_redis(conn: ConnectionManager) -> Self {
        Self { redis: Some(conn), local: broadcast::channel(1024).0 }
    }

    pub async fn publish(&self, event: JobEvent) {
        let _ = self.local.send(event.clone());
        if let Some(conn) = &self.redis {
            let mut c = conn.clone();
            match serde_json::to_string(&event) {
                Ok(body) => {
                    let r: redis::RedisResult<()> =
                        redis::cmd("PUBLISH").arg(CHANNEL).arg(body).query_async(&mut c).await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "could not publish a job event");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not encode a job event"),
            }
        }
    }

    /// Events published by this process.
    pub fn subscribe_local(&self) -> broadcast::Receiver<JobEvent> {
        self.local.subscribe()
    }
}
