//! Benchmark (not a test): no-op jobs through API → queue → worker → store.
//!
//!   cargo run --release -p meeteasy-tests --bin bench-jobs -- [embedded|scaled] [JOBS] [IN_FLIGHT]
//!
//! `scaled` needs Redis and `MEETEASY_TEST_MONGODB_URL` (scripts/bench.sh
//! starts the MongoDB wire server). It prints:
//! - burst: JOBS `sleep{millis:0}` jobs posted with IN_FLIGHT concurrent
//!   requests; enqueue rate and end-to-end completion rate;
//! - trickle: 50 jobs posted one at a time, 100 ms apart; end-to-end
//!   latency (created → succeeded) from the store's own timestamps, which
//!   is dominated by how fast an idle worker picks a new job up.

use std::time::{Duration, Instant};

use meeteasy_models::auth::Role;
use meeteasy_tests::app::json;
use meeteasy_tests::{Backend, TestApp};
use serde_json::{Value, json};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn succeeded(app: &TestApp, token: &str) -> u64 {
    json(app.get("/v1/jobs?kind=sleep&status=succeeded&page_size=1", token).await).await["total"].as_u64().unwrap_or(0)
}

fn ms_between(job: &Value, a: &str, b: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(job[a].as_str()?).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(job[b].as_str()?).ok()?;
    Some((b - a).num_microseconds()? as f64 / 1000.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = match args.get(1).map(String::as_str) {
        Some("scaled") => Backend::Scaled,
        _ => Backend::Embedded,
    };
    let jobs: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(2000);
    let in_flight: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(32);
    let app = TestApp::spawn_with(backend, true, |s| {
        s.limits.tenant_requests_per_minute = 0;
        s.runtime.cpu.concurrency = 32;
        s.log_level = "warn".into();
    })
    .await;
    let token = app.token("bench", Role::Admin);
    println!("backend: {backend:?}, jobs: {jobs}, in-flight requests: {in_flight}");

    // Burst.
    let start = Instant::now();
    let mut handles = Vec::with_capacity(jobs);
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(in_flight));
    for _ in 0..jobs {
        let permit = sem.clone().acquire_owned().await;
        let (client, url, token) = (app.client.clone(), app.url("/v1/diagnostics/sleep"), token.clone());
        handles.push(tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&json!({"millis": 0})).send().await;
            drop(permit);
            r.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut accepted = 0;
    for h in handles {
        if h.await.unwrap_or(0) == 202 {
            accepted += 1;
        }
    }
    let enqueued = start.elapsed();
    while succeeded(&app, &token).await < accepted {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total = start.elapsed();
    println!(
        "burst: {accepted} accepted in {:.2}s ({:.0} enqueues/s); all succeeded after {:.2}s ({:.0} jobs/s end to end)",
        enqueued.as_secs_f64(),
        accepted as f64 / enqueued.as_secs_f64(),
        total.as_secs_f64(),
        accepted as f64 / total.as_secs_f64()
    );

    // Trickle.
    let mut e2e = Vec::new();
    for _ in 0..50 {
        let job = json(app.post("/v1/diagnostics/sleep", &token, &json!({"millis": 0})).await).await;
        let id = job["id"].as_str().unwrap_or_default().to_string();
        let done = app.wait_for_status(&token, &id, &["succeeded"], Duration::from_secs(30)).await;
        if let Some(ms) = ms_between(&done, "created_at", "updated_at") {
            e2e.push(ms);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    e2e.sort_by(f64::total_cmp);
    println!(
        "trickle: created → succeeded p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (n={})",
        percentile(&e2e, 0.5),
        percentile(&e2e, 0.95),
        percentile(&e2e, 1.0),
        e2e.len()
    );
}
