//! Job events: every status change is published so that Socket.IO clients,
//! `?wait` requests and webhooks can react without polling the store.
//!
//! Why two transports: with Redis, workers on other hosts publish on a Redis
//! channel that every API instance subscribes to; embedded, a process-local
//! broadcast channel does the same job with no server. Publishing is
//! best-effort: the store already holds the new state, so a lost event only
//! delays a client until its next poll.

use std::time::Duration;

use futures::StreamExt;
use meeteasy_models::{JobStatus, JobView, TenantId};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The Redis channel job events are published on: `<namespace>:events`.
pub fn channel(namespace: &str) -> String {
    format!("{namespace}:events")
}

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
    redis: Option<(ConnectionManager, String)>,
    local: broadcast::Sender<JobEvent>,
    /// Events received from Redis (scale-out); unused when embedded.
    remote: broadcast::Sender<JobEvent>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus").field("redis", &self.redis.is_some()).finish()
    }
}

impl EventBus {
    pub fn local() -> Self {
        Self { redis: None, local: broadcast::channel(1024).0, remote: broadcast::channel(1024).0 }
    }

    pub fn with_redis(conn: ConnectionManager, namespace: &str) -> Self {
        Self {
            redis: Some((conn, channel(namespace))),
            local: broadcast::channel(1024).0,
            remote: broadcast::channel(1024).0,
        }
    }

    pub async fn publish(&self, event: JobEvent) {
        let _ = self.local.send(event.clone());
        if let Some((conn, channel)) = &self.redis {
            let mut c = conn.clone();
            match serde_json::to_string(&event) {
                Ok(body) => {
                    let r: redis::RedisResult<()> =
                        redis::cmd("PUBLISH").arg(channel).arg(body).query_async(&mut c).await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "could not publish a job event");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not encode a job event"),
            }
        }
    }

    /// Every event of the deployment: from Redis when scaled out (start
    /// `relay_from_redis` once per process), from this process when embedded.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        if self.redis.is_some() { self.remote.subscribe() } else { self.local.subscribe() }
    }

    /// Forwards the Redis channel into `subscribe()` receivers, reconnecting
    /// with a short pause whenever the subscription drops.
    pub fn relay_from_redis(&self, redis_url: &str) -> Option<tokio::task::JoinHandle<()>> {
        let (_, channel) = self.redis.clone()?;
        let (url, remote) = (redis_url.to_string(), self.remote.clone());
        Some(tokio::spawn(async move {
            loop {
                if let Err(e) = relay_once(&url, &channel, &remote).await {
                    tracing::warn!(error = %e, "event subscription lost; reconnecting");
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }))
    }
}

async fn relay_once(url: &str, channel: &str, out: &broadcast::Sender<JobEvent>) -> redis::RedisResult<()> {
    let mut pubsub = redis::Client::open(url)?.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    let mut messages = pubsub.on_message();
    while let Some(msg) = messages.next().await {
        let payload: String = msg.get_payload()?;
        match serde_json::from_str::<JobEvent>(&payload) {
            Ok(ev) => {
                let _ = out.send(ev);
            }
            Err(e) => tracing::warn!(error = %e, "undecodable job event ignored"),
        }
    }
    Ok(())
}
