//! Benchmark (not a test): the scale-out path as separate processes.
//!
//!   scripts/bench-scaleout.sh [JOBS] [CLIENTS] [APIS] [WORKERS]
//!   (defaults 5000, 64, 1, 1; the script starts a fresh SecantusDB per run)
//!
//! `meeteasy api` ×APIS and `meeteasy worker --pool cpu` ×WORKERS on a
//! private Redis and the MongoDB wire server. JOBS no-op jobs
//! (`POST /v1/diagnostics/sleep {"millis":0}`) are posted by CLIENTS
//! concurrent HTTP clients spread over the APIs; completion is counted from
//! the store. It prints the enqueue rate and latency, the end-to-end rate,
//! the Redis commands per job (`CONFIG RESETSTAT` before, `INFO
//! commandstats` after) and the store calls per job (the processes'
//! `meeteasy_store_calls_total` and `meeteasy_store_transition_reads_total`).
//! It asserts nothing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use meeteasy_jobs::store::JobFilter;
use meeteasy_models::auth::Role;
use meeteasy_models::page::PageRequest;
use meeteasy_models::{JobStatus, TenantId};
use meeteasy_tests::procs::{Proc, free_port, wait_healthy};
use meeteasy_tests::redis_server::PrivateRedis;
use meeteasy_tests::{Backend, TestApp};
use serde_json::json;
use tokio::sync::Semaphore;

fn arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn redis(url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("redis-cli").arg("-u").arg(url).args(args).output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).to_string()).unwrap_or_default()
}

/// `cmdstat_<name>:calls=N,...` lines of `INFO commandstats`.
fn command_calls(info: &str) -> BTreeMap<String, u64> {
    info.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("cmdstat_")?;
            let (name, stats) = rest.split_once(':')?;
            let calls = stats.split(',').find_map(|kv| kv.strip_prefix("calls="))?.parse().ok()?;
            Some((name.to_string(), calls))
        })
        .collect()
}

/// Sums of the `meeteasy_store_*` counters in a Prometheus text page.
fn store_calls(page: &str, into: &mut BTreeMap<String, f64>) {
    for line in page.lines().filter(|l| {
        l.starts_with("meeteasy_store_calls_total") || l.starts_with("meeteasy_store_transition_reads_total")
    }) {
        let Some((name, value)) = line.rsplit_once(' ') else { continue };
        let op = name.split("op=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("transition_read");
        *into.entry(op.to_string()).or_default() += value.parse::<f64>().unwrap_or(0.0);
    }
}

async fn succeeded(store: &meeteasy_jobs::store::DynStore, tenant: &TenantId) -> u64 {
    let filter = JobFilter { status: Some(JobStatus::Succeeded), ..JobFilter::default() };
    match store.list_jobs(tenant, &filter, PageRequest::new(Some(1), Some(1))).await {
        Ok(p) => p.total,
        Err(_) => 0,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let jobs = arg(&args, 1, 5000);
    let clients = arg(&args, 2, 64).max(1);
    let apis = arg(&args, 3, 1).max(1);
    let workers = arg(&args, 4, 1).max(1);
    let redis_srv = PrivateRedis::start();
    let url = redis_srv.url();
    let app = TestApp::spawn_with(Backend::Scaled, false, move |s| {
        s.redis_url = url;
        s.log_level = "warn".into();
    })
    .await;
    let mut env = app.process_env();
    env.push(("MEETEASY_LIMITS__TENANT_REQUESTS_PER_MINUTE", "0".into()));
    env.push(("MEETEASY_RUNTIME__HEARTBEAT_SECS", "5".into()));
    env.push(("MEETEASY_RUNTIME__MISSED_HEARTBEATS", "3".into()));
    env.push(("MEETEASY_DOCUMENTS__PRESTART_OFFICE", "false".into()));
    let mut procs = Vec::new();
    let mut bases = Vec::new();
    let mut metric_urls = Vec::new();
    for _ in 0..apis {
        let listen = format!("127.0.0.1:{}", free_port());
        procs.push(Proc::spawn(&["api", "--listen", &listen], &env));
        let base = format!("http://{listen}");
        wait_healthy(&format!("{base}/healthz"), Duration::from_secs(60)).await;
        metric_urls.push(format!("{base}/metrics"));
        bases.push(base);
    }
    for _ in 0..workers {
        let listen = format!("127.0.0.1:{}", free_port());
        procs.push(Proc::spawn(&["worker", "--pool", "cpu", "--listen", &listen], &env));
        let base = format!("http://{listen}");
        wait_healthy(&format!("{base}/healthz"), Duration::from_secs(60)).await;
        metric_urls.push(format!("{base}/metrics"));
    }
    let token = Arc::new(app.token("bench", Role::Admin));
    let tenant = TenantId::parse("bench").unwrap_or_else(|e| panic!("{e}"));
    let redis_url = redis_srv.url();
    redis(&redis_url, &["CONFIG", "RESETSTAT"]);

    let client = meeteasy_tests::http_client();
    let gate = Arc::new(Semaphore::new(clients));
    let started = Instant::now();
    let mut posts = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let permit = gate.clone().acquire_owned().await.unwrap_or_else(|e| panic!("{e}"));
        let (client, token) = (client.clone(), token.clone());
        let url = format!("{}/v1/diagnostics/sleep", bases[i % bases.len()]);
        posts.push(tokio::spawn(async move {
            let _permit = permit;
            let t = Instant::now();
            let ok = client
                .post(&url)
                .bearer_auth(token.as_str())
                .json(&json!({"millis": 0}))
                .send()
                .await
                .is_ok_and(|r| r.status().as_u16() == 202);
            (ok, t.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut lat = Vec::with_capacity(jobs);
    let mut refused = 0usize;
    for p in posts {
        match p.await {
            Ok((true, ms)) => lat.push(ms),
            _ => refused += 1,
        }
    }
    let posted = started.elapsed();
    let accepted = lat.len() as u64;
    let store = app.jobs.store.clone();
    let deadline = Instant::now() + Duration::from_secs(1800);
    // Once a second: on SecantusDB the count is a scan of the tenant's
    // succeeded jobs, and polling it 4 times a second took half the
    // server's time from the jobs being measured.
    while succeeded(&store, &tenant).await < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let done = started.elapsed();
    let finished = succeeded(&store, &tenant).await;

    let calls = command_calls(&redis(&redis_url, &["INFO", "commandstats"]));
    let mut store_ops = BTreeMap::new();
    for u in &metric_urls {
        if let Ok(r) = client.get(u).send().await
            && let Ok(page) = r.text().await
        {
            store_calls(&page, &mut store_ops);
        }
    }
    drop(procs);

    lat.sort_by(f64::total_cmp);
    let per = |n: f64| n / accepted.max(1) as f64;
    println!("bench-scaleout: {jobs} no-op jobs, {clients} clients, {apis} api, {workers} cpu worker(s)");
    println!(
        "  enqueue: {accepted} accepted ({refused} refused) in {:.1} s = {:.0} req/s; p50 {:.0} ms, p99 {:.0} ms",
        posted.as_secs_f64(),
        accepted as f64 / posted.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );
    println!(
        "  end to end: {finished} succeeded in {:.1} s = {:.1} jobs/s",
        done.as_secs_f64(),
        finished as f64 / done.as_secs_f64()
    );
    let total: u64 = calls.values().sum();
    let mut top: Vec<_> = calls.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    let top: Vec<String> = top.iter().take(8).map(|(k, v)| format!("{k} {:.2}", per(**v as f64))).collect();
    println!("  redis commands per job: {:.1} ({})", per(total as f64), top.join(", "));
    let store_total: f64 = store_ops.values().sum();
    let ops: Vec<String> = store_ops.iter().map(|(k, v)| format!("{k} {:.2}", per(*v))).collect();
    println!("  store calls per job: {:.2} ({})", per(store_total), ops.join(", "));
}
