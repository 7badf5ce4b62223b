//! Fixed-window rate limits shared by every process of a deployment.
//!
//! One mechanism serves the API's per-tenant request limit and the
//! notification jobs' per-tenant and per-provider send limits. With Redis the
//! counter is shared by all instances (`INCR` + `PEXPIRE` on
//! `<namespace>:rl:<key>:<window>`); embedded, it lives in the process (which
//! is the whole deployment). If Redis is unreachable the gate lets the call
//! through and logs: a rate limiter must not become an outage of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::ConnectionManager;

#[derive(Clone)]
pub enum RateGate {
    Redis { conn: ConnectionManager, namespace: String },
    Local { counts: Arc<Mutex<HashMap<(String, i64), u64>>> },
}

impl std::fmt::Debug for RateGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateGate::Redis { .. } => "RateGate::Redis",
            RateGate::Local { .. } => "RateGate::Local",
        })
    }
}

impl RateGate {
    pub fn local() -> Self {
        RateGate::Local { counts: Arc::default() }
    }

    pub fn redis(conn: ConnectionManager, namespace: &str) -> Self {
        RateGate::Redis { conn, namespace: namespace.to_string() }
    }

    /// Counts one use of `key` in the current window. `Ok(())` to proceed,
    /// or `Err(time until the window resets)`. A `limit` of 0 means unlimited.
    pub async fn check(&self, key: &str, limit: u64, window: Duration) -> Result<(), Duration> {
        if limit == 0 {
            return Ok(());
        }
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(60_000).max(1);
        let now_ms = chrono::Utc::now().timestamp_millis();
        let slot = now_ms / window_ms;
        let reset_in = Duration::from_millis(u64::try_from(window_ms - now_ms % window_ms).unwrap_or(1));
        let count = match self {
            RateGate::Redis { conn, namespace } => {
                let k = format!("{namespace}:rl:{key}:{slot}");
                let mut c = conn.clone();
                let r: redis::RedisResult<(u64, i64)> =
                    redis::pipe().atomic().incr(&k, 1u64).pexpire(&k, window_ms * 2).query_async(&mut c).await;
                match r {
                    Ok((n, _)) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limiter unavailable; allowing the call");
                        return Ok(());
                    }
                }
            }
            RateGate::Local { counts } => {
                let Ok(mut m) = counts.lock() else { return Ok(()) };
                if m.len() > 10_000 {
                    m.retain(|(_, s), _| *s >= slot - 1);
                }
                let n = m.entry((key.to_string(), slot)).or_default();
                *n += 1;
                *n
            }
        };
        if count > limit { Err(reset_in) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_local_gate_counts_per_key_and_window() {
        let gate = RateGate::local();
        for _ in 0..3 {
            assert!(gate.check("a", 3, Duration::from_secs(60)).await.is_ok());
        }
        let wait = gate.check("a", 3, Duration::from_secs(60)).await.err();
        assert!(wait.is_some_and(|d| d <= Duration::from_secs(60)));
        assert!(gate.check("b", 3, Duration::from_secs(60)).await.is_ok());
        assert!(gate.check("a", 0, Duration::from_secs(60)).await.is_ok(), "0 is unlimited");
    }
}
