//! Prometheus metrics.
//!
//! Counters and histograms are recorded where things happen (HTTP middleware
//! here, job outcomes in `jobs::runtime`). Gauges that describe shared state
//! (queue depth, jobs by state) are read from the backends by a background
//! task every `metrics.refresh_secs`, so every API instance reports the same
//! numbers and an autoscaler can read any of them.
//!
//! Why not at scrape time: `/metrics` may be reachable without a token, and
//! a count over the whole jobs collection per scrape lets anyone load the
//! store at will. A scrape now only renders what is cached.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use meeteasy_jobs::JobControl;
use meeteasy_models::JobStatus;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const DURATION_BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// Installs the global recorder once per process (tests build many apps in
/// one process) and returns its handle.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &DURATION_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(h) => {
                    let upkeep = h.clone();
                    std::thread::spawn(move || {
                        loop {
                            std::thread::sleep(std::time::Duration::from_secs(5));
                            upkeep.run_upkeep();
                        }
                    });
                    h
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder already installed; using a detached one");
                    PrometheusBuilder::new().build_recorder().handle()
                }
            }
        })
        .clone()
}

/// Records request count and latency per matched route (never the raw path,
/// which would explode label cardinality with ids).
pub async fn track_http(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("meeteasy_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("meeteasy_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

/// Refreshes the shared gauges now and then every `every`, until
/// `shutdown`.
pub fn spawn_refresher(jobs: JobControl, every: std::time::Duration, shutdown: crate::shutdown::Shutdown) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(std::time::Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let stop = shutdown.wait();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = tick.tick() => refresh_backlog(&jobs, every).await,
            }
        }
    });
}

/// Sets the queue-depth and jobs-by-state gauges from the backends.
pub async fn refresh_backlog(jobs: &JobControl, every: std::time::Duration) {
    match jobs.queues.stats().await {
        Ok(stats) => {
            for s in stats {
                let labels = [
                    ("queue", s.queue.clone()),
                    ("pool", s.pool.as_str().to_string()),
                    ("kind", s.kind.as_str().to_string()),
                ];
                metrics::gauge!("meeteasy_queue_depth", &labels).set(s.depth as f64);
                metrics::gauge!("meeteasy_queue_scheduled", &labels).set(s.scheduled as f64);
                metrics::gauge!("meeteasy_queue_running", &labels).set(s.running as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "queue stats unavailable for /metrics"),
    }
    match meeteasy_jobs::counts::job_counts(jobs, every).await {
        Ok(Some(rows)) => {
            for kind in meeteasy_models::JobKind::ALL {
                for status in JobStatus::ALL {
                    let n: u64 = rows.iter().filter(|r| r.kind == kind && r.status == status).map(|r| r.n).sum();
                    metrics::gauge!("meeteasy_jobs", "kind" => kind.as_str(), "status" => status.as_str())
                        .set(n as f64);
                }
            }
        }
        Ok(None) => {} // another process counts; its figures arrive next time
        Err(e) => tracing::warn!(error = %e, "job counts unavailable for /metrics"),
    }
}
