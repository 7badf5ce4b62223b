//! Socket.IO job events with the official python-socketio client.

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::procs::{Proc, free_port, wait_healthy};
use meeteasy_tests::smtp::python;
use meeteasy_tests::{Backend, TestApp};
use serde_json::Value;

async fn run_check(submit: &str, listen: &str, x: &str, y: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/socketio_check.py");
    let out = tokio::process::Command::new(python())
        .args([script, submit, listen, x, y])
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {}: {e}", python()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "client failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"))
}

fn assert_outcome(r: &Value) {
    assert_eq!(r["bad_token_refused"], true, "{r}");
    let id = r["job_id"].as_str().unwrap_or_default();
    let x: Vec<(String, String, String)> = serde_json::from_value(r["x_events"].clone()).unwrap_or_default();
    assert!(x.iter().any(|(e, j, s)| e == "job.completed" && j == id && s == "succeeded"), "{r}");
    assert!(x.iter().all(|(_, j, _)| j == id), "only X's own job: {r}");
    let completions = x.iter().filter(|(e, _, _)| e == "job.completed").count();
    assert_eq!(completions, 1, "delivered once even when subscribed to the job room: {r}");
    assert_eq!(r["y_events"], serde_json::json!([]), "tenant Y must see nothing of X: {r}");
    assert_eq!(r["subscribe_own"]["ok"], true, "{r}");
    assert_eq!(r["subscribe_foreign"]["error"], "job.not_found", "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_clients_get_their_tenant_s_events() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let (x, y) = (app.token("tenant-x", Role::Admin), app.token("tenant-y", Role::Admin));
    assert_outcome(&run_check(&app.address, &app.address, &x, &y).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_api_instances_through_redis() {
    let app = TestApp::spawn_with(Backend::Scaled, false, |_| {}).await;
    let env = app.process_env();
    let (pa, pb) = (free_port(), free_port());
    let (a, b) = (format!("127.0.0.1:{pa}"), format!("127.0.0.1:{pb}"));
    let _api_a = Proc::spawn(&["api", "--listen", &a], &env);
    let _api_b = Proc::spawn(&["api", "--listen", &b], &env);
    let _worker = Proc::spawn(&["worker", "--pool", "cpu", "--listen", "127.0.0.1:0"], &env);
    let (url_a, url_b) = (format!("http://{a}"), format!("http://{b}"));
    wait_healthy(&format!("{url_a}/healthz"), Duration::from_secs(30)).await;
    wait_healthy(&format!("{url_b}/healthz"), Duration::from_secs(30)).await;
    let (x, y) = (app.token("tenant-x", Role::Admin), app.token("tenant-y", Role::Admin));
    // Submitted through A, received on B.
    assert_outcome(&run_check(&url_a, &url_b, &x, &y).await);
}
