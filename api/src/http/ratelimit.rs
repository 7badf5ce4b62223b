//! Per-tenant request rate limits, in fixed one-minute windows.
//!
//! With Redis the counter is shared by every API instance (`INCR` + `EXPIRE`
//! on `<namespace>:rl:<tenant>:<minute>`); embedded, it lives in the process.
//! If Redis is unreachable the limiter lets requests through and logs: a rate
//! limiter must not become an outage of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use meeteasy_models::TenantId;
use redis::aio::ConnectionManager;

#[derive(Clone)]
pub enum RateLimiter {
    Disabled,
    Redis { conn: ConnectionManager, namespace: String, per_minute: u64 },
    Local { counts: Arc<Mutex<HashMap<(String, i64), u64>>>, per_minute: u64 },
}

impl RateLimiter {
    pub fn local(per_minute: u64) -> Self {
        if per_minute == 0 {
            return RateLimiter::Disabled;
        }
        RateLimiter::Local { counts: Arc::default(), per_minute }
    }

    pub fn redis(conn: ConnectionManager, namespace: &str, per_minute: u64) -> Self {
        if per_minute == 0 {
            return RateLimiter::Disabled;
        }
        RateLimiter::Redis { conn, namespace: namespace.to_string(), per_minute }
    }

    /// `Ok(())` to proceed, or `Err(seconds until the window resets)`.
    pub async fn check(&self, tenant: &TenantId) -> Result<(), u64> {
        let now = chrono::Utc::now().timestamp();
        let (minute, retry_after) = (now / 60, u64::try_from(60 - now % 60).unwrap_or(60));
        let (count, limit) = match self {
            RateLimiter::Disabled => return Ok(()),
            RateLimiter::Redis { conn, namespace, per_minute } => {
                let key = format!("{namespace}:rl:{tenant}:{minute}");
                let mut c = conn.clone();
                let r: redis::RedisResult<(u64, i64)> =
                    redis::pipe().atomic().incr(&key, 1u64).expire(&key, 120).query_async(&mut c).await;
                match r {
                    Ok((n, _)) => (n, *per_minute),
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limiter unavailable; allowing the request");
                        return Ok(());
                    }
                }
            }
            RateLimiter::Local { counts, per_minute } => {
                let Ok(mut m) = counts.lock() else {
                    return Ok(());
                };
                m.retain(|(_, w), _| *w >= minute);
                let n = m.entry((tenant.to_string(), minute)).or_default();
                *n += 1;
                (*n, *per_minute)
            }
        };
        if count > limit { Err(retry_after) } else { Ok(()) }
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateLimiter::Disabled => "RateLimiter::Disabled",
            RateLimiter::Redis { .. } => "RateLimiter::Redis",
            RateLimiter::Local { .. } => "RateLimiter::Local",
        })
    }
}
