//! Chaos run (not a test): mixed jobs through `meeteasy api` and N
//! `meeteasy worker --pool cpu` processes on Redis and the MongoDB wire
//! server, while workers are killed with SIGKILL and Redis restarts empty.
//!
//!   scripts/chaos.sh [JOBS] [WORKERS] [POSTERS]   (defaults 10000, 3 and 16)
//!
//! The mix: 70 % sleep jobs of 0–500 ms, 20 % analytics batches, 10 %
//! sleep jobs that fail every attempt and retry until `dead`. Meanwhile a
//! worker is killed (SIGKILL) and restarted every ~5 s, and Redis is
//! restarted once, empty, as one without persistence comes back, and
//! flushed once (`FLUSHALL`) while it runs. At the end
//! every job must be terminal, with the expected status: it prints the lost
//! and stuck counts, the handler runs beyond one per job (duplicates) and
//! the time the backlog took to drain, and exits 1 if anything was lost or
//! stuck.

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
use serde_json::{Value, json};
use tokio::sync::Semaphore;

fn body(i: usize) -> (&'static str, Value, JobStatus) {
    match i % 10 {
        0 => ("/v1/diagnostics/sleep", json!({"millis": 0, "fail": "retry"}), JobStatus::Dead),
        1 | 2 => {
            let events: Vec<Value> = (0..10)
                .map(|k| {
                    json!({"event_id": format!("e{i}-{k}"), "conference_id": "c1", "type": "page_view",
                    "ts": "2026-11-27T10:15:00Z", "attrs": {}})
                })
                .collect();
            ("/v1/analytics/events", json!({ "events": events }), JobStatus::Succeeded)
        }
        _ => ("/v1/diagnostics/sleep", json!({"millis": (i * 37) % 501}), JobStatus::Succeeded),
    }
}

fn worker(env: &[(&'static str, String)]) -> Proc {
    Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], env)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let jobs: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let workers: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(3);
    // Posts in flight at once. A store pushed far past its throughput times
    // requests out and clients retry into it (more work, less progress), so
    // the driver keeps a bounded number in flight and retries each post,
    // with the same idempotency key, until it is accepted.
    let posters: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(16);
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let app = TestApp::spawn_with(Backend::Scaled, false, move |s| {
        s.redis_url = url;
        s.log_level = "warn".into();
    })
    .await;
    let mut env = app.process_env();
    for (k, v) in [
        ("MEETEASY_RUNTIME__SWEEP_INTERVAL_SECS", "2"),
        ("MEETEASY_RUNTIME__SWEEP_GRACE_SECS", "5"),
        ("MEETEASY_RUNTIME__JOBS__SLEEP__MAX_ATTEMPTS", "3"),
        ("MEETEASY_RUNTIME__JOBS__SLEEP__TIMEOUT_SECS", "5"),
        ("MEETEASY_RUNTIME__JOBS__SLEEP__BACKOFF_BASE_SECS", "1"),
        ("MEETEASY_RUNTIME__JOBS__SLEEP__BACKOFF_MAX_SECS", "2"),
        ("MEETEASY_LIMITS__TENANT_REQUESTS_PER_MINUTE", "0"),
        // A worker is killed every ~5 s, so each lives ~15 s: with the
        // default 5 s × 3 heartbeats its in-flight jobs would wait as long
        // as it lived before another worker reclaims them.
        ("MEETEASY_RUNTIME__HEARTBEAT_SECS", "1"),
        ("MEETEASY_RUNTIME__MISSED_HEARTBEATS", "3"),
        // No documents in this mix: a restarted worker need not start
        // LibreOffice.
        ("MEETEASY_DOCUMENTS__PRESTART_OFFICE", "false"),
    ] {
        env.push((k, v.to_string()));
    }
    let listen = format!("127.0.0.1:{}", free_port());
    let api = Proc::spawn(&["api", "--listen", &listen], &env);
    let base = format!("http://{listen}");
    wait_healthy(&format!("{base}/healthz"), Duration::from_secs(30)).await;
    let mut pool: Vec<Proc> = (0..workers).map(|_| worker(&env)).collect();
    let token = Arc::new(app.token("chaos", Role::Admin));

    // Chaos: kill and restart a worker every ~5 s; restart Redis once.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (kills, chaos_env, chaos_stop) = (Arc::new(std::sync::atomic::AtomicUsize::new(0)), env.clone(), stop.clone());
    let chaos_kills = kills.clone();
    let chaos = tokio::task::spawn_blocking(move || {
        let mut round = 0usize;
        while !chaos_stop.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(5));
            round += 1;
            let victim = round % pool.len();
            pool[victim].kill9();
            pool[victim] = worker(&chaos_env);
            chaos_kills.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if round == 3 {
                redis.restart_empty(Duration::from_secs(1));
                eprintln!("chaos: redis restarted empty");
            }
            if round == 8 {
                // What an operator's mistake does to a live Redis: every
                // queue, heartbeat and lock gone, connections kept.
                let out = std::process::Command::new("redis-cli").args(["-u", &redis.url(), "FLUSHALL"]).output();
                eprintln!("chaos: FLUSHALL: {:?}", out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()));
            }
        }
        (pool, redis)
    });

    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(posters.max(1)));
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = meeteasy_tests::http_client();
    let mut posts = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let (path, body, expect) = body(i);
        let permit = gate.clone().acquire_owned().await.unwrap_or_else(|e| panic!("{e}"));
        let (client, url, token) = (client.clone(), format!("{base}{path}"), token.clone());
        let accepted = accepted.clone();
        if i % 500 == 0 {
            eprintln!(
                "chaos: {i} posted, {} accepted, {:.0?}",
                accepted.load(std::sync::atomic::Ordering::Relaxed),
                started.elapsed()
            );
        }
        posts.push(tokio::spawn(async move {
            let _permit = permit;
            let mut pause = Duration::from_millis(200);
            for _ in 0..2000 {
                // A retried post must not create a second job.
                let key = format!("chaos-{i}");
                let req = client.post(&url).bearer_auth(token.as_str()).header("Idempotency-Key", key).json(&body);
                if let Ok(r) = req.send().await
                    && r.status().as_u16() == 202
                {
                    let v: Value = r.json().await.unwrap_or_default();
                    accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return v["id"].as_str().map(|id| (id.to_string(), expect));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            None
        }));
    }
    let mut expected = BTreeMap::new();
    for p in posts {
        if let Ok(Some((id, expect))) = p.await {
            expected.insert(id, expect);
        }
    }
    let posted = started.elapsed();
    eprintln!("chaos: {} of {jobs} jobs accepted in {posted:.1?}", expected.len());

    // Drain: every job terminal, read from the store.
    let tenant = TenantId::parse("chaos").unwrap_or_else(|e| panic!("{e}"));
    let store = app.jobs.store.clone();
    // Poll with one aggregate (listing every record each time would itself
    // load the store); read every record once at the end.
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        let open: u64 = match store.count_by_status(Some(&tenant)).await {
            Ok(c) => c.iter().filter(|(_, s, _)| !s.is_terminal()).map(|(_, _, n)| n).sum(),
            Err(_) => u64::MAX,
        };
        if open == 0 || Instant::now() > deadline {
            break;
        }
        eprintln!("chaos: {open} open, {:.0?}", started.elapsed());
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    let drained = started.elapsed();
    let mut records = Vec::new();
    {
        for page in 1.. {
            let req = PageRequest::new(Some(page), Some(100));
            let got = store.list_jobs(&tenant, &JobFilter::default(), req).await.unwrap_or_else(|e| panic!("{e}"));
            let n = got.items.len();
            records.extend(got.items);
            if n < 100 {
                break;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = chaos.await;
    // Stop the processes before any exit: `process::exit` runs no destructors.
    drop(api);

    let by_id: BTreeMap<String, _> = records.iter().map(|r| (r.id.to_string(), r)).collect();
    let lost = expected.keys().filter(|id| !by_id.contains_key(*id)).count();
    let stuck = records.iter().filter(|r| !r.status.is_terminal()).count();
    let wrong: Vec<String> = expected
        .iter()
        .filter_map(|(id, want)| by_id.get(id).filter(|r| r.status.is_terminal() && r.status != *want))
        .map(|r| {
            let code = r.error.as_ref().map_or("-", |e| e.code.as_str());
            format!("{} {} {code} after {} attempts", r.kind, r.status, r.attempts)
        })
        .collect();
    // Runs beyond one per job: attempts of jobs meant to succeed, minus one.
    let duplicates: u64 = records
        .iter()
        .filter(|r| r.status == JobStatus::Succeeded)
        .map(|r| u64::from(r.attempts.saturating_sub(1)))
        .sum();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &records {
        *counts.entry((r.kind.as_str(), r.status.as_str())).or_default() += 1;
    }
    println!(
        "chaos run: {jobs} jobs, {workers} workers, {} worker kills, 1 Redis restart (empty), 1 FLUSHALL",
        kills.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "accepted {} of {jobs} ({posters} posts in flight) in {posted:.1?}; backlog drained {drained:.1?} after the first post",
        expected.len()
    );
    for ((k, s), n) in &counts {
        println!("  {k} {s}: {n}");
    }
    println!(
        "lost {lost}, stuck {stuck}, unexpected final status {}, runs beyond one per succeeded job {duplicates}",
        wrong.len()
    );
    for w in &wrong {
        println!("  unexpected: {w}");
    }
    if lost > 0 || stuck > 0 || !wrong.is_empty() || expected.len() < jobs {
        std::process::exit(1);
    }
}
