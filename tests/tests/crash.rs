//! At-least-once delivery: a worker killed with SIGKILL mid-job loses
//! nothing. Real processes, real Redis and MongoDB / SQLite.

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{TEST_SECRET, json};
use meeteasy_tests::procs::{Proc, free_port, wait_healthy};
use meeteasy_tests::{Backend, TestApp};
use serde_json::{Value, json};

const JOBS: usize = 4;

async fn enqueue_sleepers(app: &TestApp, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..JOBS {
        let resp = app.post("/v1/diagnostics/sleep", token, &json!({"millis": 2500})).await;
        assert_eq!(resp.status().as_u16(), 202);
        ids.push(json(resp).await["id"].as_str().unwrap_or_default().to_string());
    }
    ids
}

async fn all_with_status(app: &TestApp, token: &str, ids: &[String], status: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        out.push(app.wait_for_status(token, id, &[status], Duration::from_secs(60)).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_s_jobs_finish_on_another_worker() {
    let app = TestApp::spawn_with(Backend::Scaled, false, |_| {}).await;
    let env = app.process_env();
    let t = app.token("acme", Role::Admin);
    let mut doomed = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    let ids = enqueue_sleepers(&app, &t).await;
    let running = all_with_status(&app, &t, &ids, "running").await;
    assert!(running.iter().all(|j| j["attempts"] == 1));
    doomed.kill9();
    let _rescuer = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    let done = all_with_status(&app, &t, &ids, "succeeded").await;
    for j in &done {
        assert_eq!(j["attempts"], 2, "re-delivered exactly once: {j}");
        assert_eq!(j["result"]["attempt"], 2);
    }
    let listed = json(app.get("/v1/jobs?kind=sleep&status=succeeded", &t).await).await;
    assert_eq!(listed["total"], JOBS as u64, "completed == enqueued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_server_finishes_jobs_after_a_crash_and_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().to_string();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let env = vec![
        ("MEETEASY_JWT_SECRET", TEST_SECRET.to_string()),
        ("MEETEASY_RUNTIME__HEARTBEAT_SECS", "1".into()),
        ("MEETEASY_RUNTIME__MISSED_HEARTBEATS", "2".into()),
    ];
    let args = ["dev", "--data-dir", data.as_str(), "--listen", listen.as_str()];
    let mut first = Proc::spawn(&args, &env);
    let base = format!("http://{listen}");
    wait_healthy(&format!("{base}/healthz"), Duration::from_secs(30)).await;

    // A client for the process (the TestApp helpers, minus the in-process app).
    let probe = TestApp::spawn_with(Backend::Embedded, false, |_| {}).await;
    let t = probe.token("acme", Role::Admin);
    let client = meeteasy_tests::http_client();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let resp = client
            .post(format!("{base}/v1/diagnostics/sleep"))
            .bearer_auth(&t)
            .json(&json!({"millis": 2500}))
            .send()
            .await;
        ids.push(json(resp.unwrap_or_else(|e| panic!("{e}"))).await["id"].as_str().unwrap_or_default().to_string());
    }
    let status = |id: String| {
        let (client, t, base) = (client.clone(), t.clone(), base.clone());
        async move {
            let r = client.get(format!("{base}/v1/jobs/{id}")).bearer_auth(t).send().await;
            match r {
                Ok(r) => json(r).await,
                Err(_) => Value::Null,
            }
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    for id in &ids {
        while status(id.clone()).await["status"] != "running" {
            assert!(std::time::Instant::now() < deadline, "job never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    first.kill9();
    let _second = Proc::spawn(&args, &env);
    wait_healthy(&format!("{base}/healthz"), Duration::from_secs(30)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    for id in &ids {
        loop {
            let j = status(id.clone()).await;
            if j["status"] == "succeeded" {
                assert_eq!(j["attempts"], 2, "{j}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "job {id} did not finish after the restart: {j}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_jobs_finish() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().to_string_lossy().to_string();
    let listen = format!("127.0.0.1:{}", free_port());
    let env = vec![("MEETEASY_JWT_SECRET", TEST_SECRET.to_string())];
    let mut dev = Proc::spawn(&["dev", "--data-dir", data.as_str(), "--listen", listen.as_str()], &env);
    let base = format!("http://{listen}");
    wait_healthy(&format!("{base}/healthz"), Duration::from_secs(30)).await;
    let probe = TestApp::spawn_with(Backend::Embedded, false, |_| {}).await;
    let t = probe.token("acme", Role::Admin);
    let client = meeteasy_tests::http_client();
    let resp =
        client.post(format!("{base}/v1/diagnostics/sleep")).bearer_auth(&t).json(&json!({"millis": 1500})).send().await;
    let id = json(resp.unwrap_or_else(|e| panic!("{e}"))).await["id"].as_str().unwrap_or_default().to_string();
    loop {
        let j = json(
            client.get(format!("{base}/v1/jobs/{id}")).bearer_auth(&t).send().await.unwrap_or_else(|e| panic!("{e}")),
        )
        .await;
        if j["status"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = tokio::task::spawn_blocking(move || {
        let s = dev.terminate(Duration::from_secs(20));
        (s, dev)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.0.is_some_and(|s| s.success()), "dev exits cleanly on SIGTERM: {:?}", status.0);
    // The job finished inside the grace period: the store says so.
    let store = meeteasy_jobs::store::sqlite::SqliteStore::open(dir.path()).await.unwrap_or_else(|e| panic!("{e}"));
    let tenant = meeteasy_models::TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let job_id = meeteasy_models::JobId::parse(&id).unwrap_or_else(|e| panic!("{e}"));
    use meeteasy_jobs::store::JobStore;
    let rec = store.get_job(&tenant, job_id).await.ok().flatten();
    assert_eq!(rec.map(|r| r.status.as_str()), Some("succeeded"));
}

/// A job whose last allowed attempt dies with its worker is a poison pill:
/// the next worker marks it `dead` with `job.crashed` instead of running it
/// (and dying) again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_kills_its_last_attempt_is_buried_not_rerun() {
    let app = TestApp::spawn_with(Backend::Scaled, false, |_| {}).await;
    let mut env = app.process_env();
    env.push(("MEETEASY_RUNTIME__JOBS__SLEEP__MAX_ATTEMPTS", "1".into()));
    let t = app.token("acme", Role::Admin);
    let mut doomed = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    let ids = enqueue_sleepers(&app, &t).await;
    all_with_status(&app, &t, &ids, "running").await;
    doomed.kill9();
    let _next = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    for j in all_with_status(&app, &t, &ids, "dead").await {
        assert_eq!(j["error"]["code"], "job.crashed", "{j}");
        assert_eq!(j["attempts"], 1, "never run again: {j}");
        assert_eq!(j["result"], Value::Null, "{j}");
    }
}

/// Redis restarts empty (no persistence) while the workers poll it: every
/// worker survives the outage and runs the jobs queued after it. (Without a
/// restart policy, apalis ended each worker on its first queue error, and
/// that kind's jobs then waited forever.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_recover_when_redis_restarts_empty() {
    let mut redis = meeteasy_tests::redis_server::PrivateRedis::start();
    let url = redis.url();
    let app = TestApp::spawn_with(Backend::Scaled, true, move |s| s.redis_url = url).await;
    let t = app.token("acme", Role::Admin);
    let sleep_job = || async {
        // The first requests after the restart may meet a reconnecting client.
        for _ in 0..50 {
            let resp = app.post("/v1/diagnostics/sleep", &t, &json!({"millis": 0})).await;
            if resp.status().as_u16() == 202 {
                return json(resp).await["id"].as_str().unwrap_or_default().to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the API never took a job after the Redis restart");
    };
    let before = sleep_job().await;
    app.wait_for_status(&t, &before, &["succeeded"], Duration::from_secs(20)).await;
    tokio::task::block_in_place(|| redis.restart_empty(Duration::from_secs(2)));
    let after = sleep_job().await;
    app.wait_for_status(&t, &after, &["succeeded"], Duration::from_secs(30)).await;
}

/// Redis restarts empty with jobs waiting in it: their messages are gone,
/// the store still has them `queued`. The sweeper finds them once the queue
/// is empty and dispatches them again: every job ends `succeeded`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_whose_messages_redis_lost_are_swept_back() {
    let mut redis = meeteasy_tests::redis_server::PrivateRedis::start();
    let url = redis.url();
    let app = TestApp::spawn_with(Backend::Scaled, false, move |s| s.redis_url = url).await;
    let t = app.token("acme", Role::Admin);
    let mut ids = Vec::new();
    for _ in 0..20 {
        let resp = app.post("/v1/diagnostics/sleep", &t, &json!({"millis": 10})).await;
        assert_eq!(resp.status().as_u16(), 202);
        ids.push(json(resp).await["id"].as_str().unwrap_or_default().to_string());
    }
    // No worker has run yet: every message is in Redis, and Redis forgets.
    tokio::task::block_in_place(|| redis.restart_empty(Duration::from_millis(500)));
    let mut env = app.process_env();
    env.push(("MEETEASY_RUNTIME__SWEEP_INTERVAL_SECS", "1".into()));
    env.push(("MEETEASY_RUNTIME__SWEEP_GRACE_SECS", "1".into()));
    let _worker = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    for j in all_with_status(&app, &t, &ids, "succeeded").await {
        assert_eq!(j["attempts"], 1, "{j}");
    }
}
